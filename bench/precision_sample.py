#!/usr/bin/env python3
"""Precision of wsync-lint's findings on real SQL: a stratified random sample to judge by hand.  (run by hand)

The method of ``../shared/reports/precision.md`` (issue 12), as a measurement, not a test:

1. **Findings.** ``wsync-lint check --format json --exit-zero --dialect D`` over every file listed
   in ``<corpus>/<dialect>/select_only.txt`` (paths relative to the dialect folder; run from it, in
   chunks), for the four dialects. Findings are counted per code and dialect, with the files they
   are in; a finding reported on a file outside the list is left out (and counted on stderr).
2. **Sample.** Stratified by code, without replacement, from ``--seed`` (a constant by default;
   the worksheet states it): every code that fires gets ``--min-per-code`` findings (all of them
   when it has fewer); the rest, up to ``--total``, goes to the codes in proportion to their share
   of the findings (largest remainders, never more than a code has). Within a code the findings
   are drawn from all dialects together, from a list sorted by dialect, path and position, with a
   generator seeded by ``<seed>:<code>``: the same seed on the same findings draws the same sample,
   and a code's draw changes only when its own findings or its share of the sample change.
3. **Worksheet.** Markdown, printed and written to ``--output`` (default
   ``bench/results/precision-<date>.md``, git-ignored; the raw counts and the sample go to the
   ``.json`` beside it, and the counts also into a comment ``--judged`` reads): the counts table, then each sampled
   finding with its id, code, dialect, ``path:line:col``, message, hint and the SQL around it
   (3 lines either side, the finding's line marked ``>``), and an empty ``verdict:`` and ``note:``.
   A run refuses to overwrite a worksheet that already has a verdict. The counts follow the code
   of the checkout (the header names its commit and how many files are uncommitted).
4. **Judging** (by a person, against ``../shared/spec/mparticle-facts.md``): TP, it would break
   Warehouse Sync or land data wrong; NOISY, right but misleading or a repeat; FP, wrong.
5. **Table.** ``--judged FILE`` reads a filled worksheet (unfilled verdicts are skipped) and prints
   the per-code precision (TP/n with a 95 % Wilson interval, and TP+NOISY) and the estimate over
   the population: each code's verdict shares applied to its finding count, overall and per
   dialect (one share per code for every dialect), laid out as precision.md's "Precision per code".

    python bench/precision_sample.py > /dev/null                  # the worksheet (under a minute)
    python bench/precision_sample.py --seed 7 --total 200 --output /tmp/p.md
    python bench/precision_sample.py --judged bench/results/precision-20250101.md
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from common import DEFAULT_CORPUS, DIALECTS, REPO, check_argv, environment, publish, timed

SEED = 20240601
CHUNK = 250  # files per ``check`` run, far below ARG_MAX (check_argv stops the bench otherwise)
CONTEXT = 3  # lines shown either side of a finding
WIDTH = 240  # longest source line shown
VERDICTS = ("TP", "NOISY", "FP")
META = re.compile(r"^<!-- precision-sample (\{.*\}) -->$", re.MULTILINE)
ENTRY = re.compile(r"^### (S\d+) · (\S+) · (\S+)$", re.MULTILINE)
FIELD = re.compile(r"^(verdict|note):[ \t]*(.*?)[ \t]*$", re.MULTILINE)


def listed_files(corpus: Path, dialect: str) -> list[str]:
    """The paths of ``select_only.txt``, relative to the dialect folder."""
    listing = corpus / dialect / "select_only.txt"
    if not listing.is_file():
        sys.exit(f"bench: {listing} not found (--corpus)")
    paths = [line.strip() for line in listing.read_text(encoding="utf-8").splitlines() if line.strip()]
    missing = [p for p in paths if not (corpus / dialect / p).is_file()]
    if missing:
        sys.exit(f"bench: {len(missing)} listed files of {dialect} are missing, e.g. {missing[0]}")
    return paths


def collect(corpus: Path, dialect: str, paths: list[str], work: Path) -> list[dict]:
    """Every finding ``check`` reports on ``paths``, each with its ``dialect``."""
    root, out, wanted, outside = corpus / dialect, work / "check.json", set(paths), 0
    findings = []
    for start in range(0, len(paths), CHUNK):
        chunk = [root / p for p in paths[start : start + CHUNK]]
        run, err = timed(check_argv(dialect, chunk, root), out, cwd=root)
        if run.code != 0 or err.strip():
            sys.exit(f"bench: check of {dialect} failed ({run.code}): {err.strip()[-2000:]}")
        report = json.loads(out.read_text(encoding="utf-8"))
        if report["summary"]["files"] != len(chunk):
            sys.exit(f"bench: check of {dialect} checked {report['summary']['files']} files, expected {len(chunk)}")
        for finding in report["findings"]:
            if finding["path"] in wanted:
                findings.append({"dialect": dialect, **finding})
            else:
                outside += 1
    if outside:
        print(f"  {dialect}: {outside} findings on files outside select_only.txt left out", file=sys.stderr)
    return findings


def tally(findings: list[dict]) -> dict[str, dict[str, list[int]]]:
    """``{code: {dialect: [findings, files]}}``."""
    counts: dict[str, dict[str, list[int]]] = {}
    files: dict[tuple[str, str], set[str]] = defaultdict(set)
    for f in findings:
        counts.setdefault(f["code"], {}).setdefault(f["dialect"], [0, 0])[0] += 1
        files[f["code"], f["dialect"]].add(f["path"])
    for (code, dialect), paths in files.items():
        counts[code][dialect][1] = len(paths)
    return dict(sorted(counts.items()))


def counts_table(counts: dict, checked: dict[str, list[int]]) -> str:
    """The per-code and per-dialect counts, as precision.md's section (a) table."""
    dialects = list(checked)
    lines = [
        "| code | " + " | ".join(f"{d} findings (files)" for d in dialects) + " | total |",
        "|---|" + "---:|" * (len(dialects) + 1),
    ]
    for code, per in counts.items():
        cells = [f"{per[d][0]} ({per[d][1]})" if d in per else "-" for d in dialects]
        lines.append(f"| {code} | " + " | ".join(cells) + f" | {sum(n for n, _ in per.values())} |")
    totals = [sum(per.get(d, [0])[0] for per in counts.values()) for d in dialects]
    lines.append("| **all** | " + " | ".join(f"**{n}**" for n in totals) + f" | **{sum(totals)}** |")
    lines.append("| files checked / with a finding | " + " | ".join(f"{n} / {m}" for n, m in checked.values()) + " | |")
    return "\n".join(lines)


def allocate(sizes: dict[str, int], min_per_code: int, total: int) -> dict[str, int]:
    """How many findings to draw per code: ``min_per_code`` each (or all), the rest up to ``total``
    in proportion to each code's findings, capped at what the code has."""
    alloc = {code: min(n, min_per_code) for code, n in sizes.items()}
    while (rest := total - sum(alloc.values())) > 0:
        room = {code: n for code, n in sizes.items() if alloc[code] < n}
        if not room:
            break
        quota = {code: rest * n / sum(room.values()) for code, n in room.items()}
        extra = {code: min(sizes[code] - alloc[code], int(q)) for code, q in quota.items()}
        if not any(extra.values()):  # fewer left than whole shares: one each, largest shares first
            extra = dict.fromkeys(sorted(quota, key=lambda c: (-quota[c], c))[:rest], 1)
        for code, k in extra.items():
            alloc[code] += k
    return alloc


def order(finding: dict) -> tuple:
    return (DIALECTS.index(finding["dialect"]), finding["path"], finding["line"], finding["column"], finding["message"])


def draw(findings: list[dict], alloc: dict[str, int], seed: int) -> list[dict]:
    """The sample, sorted by code, dialect and place, with ids ``S001``, ``S002``, ..."""
    by_code = defaultdict(list)
    for f in findings:
        by_code[f["code"]].append(f)
    sample = []
    for code in sorted(alloc):  # one generator per code: a change in one code leaves the others' draws alone
        population = sorted(by_code[code], key=order)
        sample += sorted(random.Random(f"{seed}:{code}").sample(population, alloc[code]), key=order)
    return [{"id": f"S{i:03d}", **f} for i, f in enumerate(sample, 1)]


def context(corpus: Path, finding: dict) -> str:
    """The source lines around ``finding``, numbered, its line marked with ``>`` and a caret."""
    lines = (corpus / finding["dialect"] / finding["path"]).read_text(encoding="utf-8", errors="replace").splitlines()
    at, column = finding["line"], finding["column"]
    width = len(str(min(len(lines), at + CONTEXT)))
    shown = []
    for number in range(max(1, at - CONTEXT), min(len(lines), at + CONTEXT) + 1):
        text = lines[number - 1].replace("\t", " ").rstrip()
        text = text if len(text) <= WIDTH else text[:WIDTH] + " …"
        shown.append(f"{'>' if number == at else ' '} {number:>{width}} | {text}")
        if number == at and 1 <= column <= WIDTH:
            shown.append(f"  {' ' * width} | {' ' * (column - 1)}^")
    body = "\n".join(shown)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{body}\n{fence}"


def one_line(text: str | None) -> str:
    return " ".join((text or "-").split())


def worksheet(env: dict, args: argparse.Namespace, counts: dict, checked: dict, sample: list[dict]) -> str:
    meta = {"seed": args.seed, "counts": counts, "checked": checked}
    drawn = Counter(f["code"] for f in sample)
    lines = [
        f"# Precision worksheet, commit {env['commit']} ({env['uncommitted_files']} uncommitted files), {env['when']}",
        "",
        f"<!-- precision-sample {json.dumps(meta, separators=(',', ':'))} -->",
        "",
        f"wsync-lint {env['wsync_lint']}, sqlglot {env['sqlglot']}. **Seed {args.seed}**, at least "
        f"{args.min_per_code} per code, {args.total} in total (`{' '.join(sys.argv)}`). Corpus: "
        f"`{args.corpus}`, the files of `<dialect>/select_only.txt`; paths below are under the corpus.",
        "",
        "Judge each finding against `../shared/spec/mparticle-facts.md` and fill in `verdict:` with "
        "**TP** (it would break Warehouse Sync or land data wrong), **NOISY** (right, but misleading or "
        "a repeat) or **FP** (wrong), and say why in `note:`. Then: "
        "`python bench/precision_sample.py --judged <this file>`.",
        "",
        "## Findings per code and dialect",
        "",
        counts_table(counts, checked),
        "",
        f"## Sample ({len(sample)} findings)",
        "",
        "Drawn per code: "
        + ", ".join(f"{code} {drawn[code]} of {sum(n for n, _ in per.values())}" for code, per in counts.items())
        + ".",
    ]
    for f in sample:
        lines += [
            "",
            f"### {f['id']} · {f['code']} · {f['dialect']}",
            "",
            f"`{f['dialect']}/{f['path']}:{f['line']}:{f['column']}` {f['code']} [{f['severity']}] ({f['name']})",
            "",
            f"message: {one_line(f['message'])}",
            "",
            f"hint: {one_line(f.get('hint'))}",
            "",
            f["context"],
            "",
            "verdict: ",
            "",
            "note: ",
        ]
    return "\n".join(lines) + "\n"


def read_judged(path: Path) -> tuple[dict, list[dict]]:
    """The embedded counts and every sampled entry (``id``, ``code``, ``dialect``, ``verdict``, ``note``)."""
    text = path.read_text(encoding="utf-8")
    meta = META.search(text)
    if meta is None:
        sys.exit(f"bench: {path} is not a precision worksheet (no precision-sample comment)")
    heads = list(ENTRY.finditer(text))
    entries = []
    for head, after in zip(heads, [*heads[1:], None], strict=True):
        block = text[head.end() : after.start() if after else len(text)]
        fields = dict(FIELD.findall(block))
        verdict = fields.get("verdict", "").upper()
        if verdict and verdict not in VERDICTS:
            sys.exit(f"bench: {head[1]}: verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
        entries.append(
            {"id": head[1], "code": head[2], "dialect": head[3], "verdict": verdict, "note": fields.get("note", "")}
        )
    return json.loads(meta[1]), entries


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    p, z2 = k / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def precision_report(meta: dict, entries: list[dict]) -> str:
    """precision.md's "Precision per code" tables, from a judged worksheet."""
    counts, dialects = meta["counts"], list(meta["checked"])
    judged = [e for e in entries if e["verdict"]]
    per: dict[str, Counter] = defaultdict(Counter)
    notes: dict[str, list[str]] = defaultdict(list)
    for e in judged:
        per[e["code"]][e["verdict"]] += 1
        # The table explains what is not a true finding; a TP's note stays in the worksheet.
        if e["note"] and e["verdict"] != "TP" and f"{e['verdict']}: {e['note']}" not in notes[e["code"]]:
            notes[e["code"]].append(f"{e['verdict']}: {e['note']}")
    size = {code: sum(n for n, _ in by.values()) for code, by in counts.items()}
    lines = [
        f"Seed {meta['seed']}; {len(judged)} of {len(entries)} sampled findings have a verdict.",
        "",
        "| code | findings (select-only) | sampled | TP | NOISY | FP | precision TP/n | 95 % CI (Wilson) | TP+NOISY | note |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for code in counts:
        c, n = per[code], sum(per[code].values())
        if n:
            lo, hi = wilson(c["TP"], n)
            figures = f"**{c['TP'] / n:.0%}** | {lo:.0%}–{hi:.0%} | {(c['TP'] + c['NOISY']) / n:.0%}"
        else:
            figures = "- | | -"
        note = "; ".join(notes[code]).replace("|", "\\|")
        lines.append(f"| {code} | {size[code]} | {n} | {c['TP']} | {c['NOISY']} | {c['FP']} | {figures} | {note} |")
    raw = Counter(e["verdict"] for e in judged)
    n = len(judged)
    share = (lambda k: f"{k / n:.1%}") if n else (lambda k: "-")
    lines += [
        f"| **all (raw sample)** | {sum(size.values())} | {n} | {raw['TP']} | {raw['NOISY']} | {raw['FP']} "
        f"| **{share(raw['TP'])}** | | {share(raw['TP'] + raw['NOISY'])} | |",
        "",
        "Estimated over the population (each code's sample shares applied to its finding count):",
        "",
        "| scope | findings | TP | NOISY | FP |",
        "|---|---:|---:|---:|---:|",
    ]
    unjudged = [code for code in counts if not per[code]]
    scopes = [("all select-only findings", None)] + [(d, d) for d in dialects]
    for label, dialect in scopes:
        weight = {
            code: (size[code] if dialect is None else by.get(dialect, [0])[0])
            for code, by in counts.items()
            if per[code]
        }
        total = sum(weight.values())
        if not total:
            lines.append(f"| {label} | 0 | - | - | - |")
            continue
        est = {
            v: sum(w * per[code][v] / sum(per[code].values()) for code, w in weight.items()) / total for v in VERDICTS
        }
        lines.append(f"| {label} | {total} | {est['TP']:.1%} | {est['NOISY']:.1%} | {est['FP']:.1%} |")
    if unjudged:
        lines += ["", f"Codes without a verdict, left out of the estimate: {', '.join(unjudged)}."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed of the sample (default {SEED})")
    parser.add_argument("--min-per-code", type=int, default=5, help="findings drawn per code at least (default 5)")
    parser.add_argument("--total", type=int, default=160, help="findings drawn in total at least (default 160)")
    parser.add_argument("--dialects", default=",".join(DIALECTS), help="comma-separated (default: all four)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help=f"default {DEFAULT_CORPUS}")
    parser.add_argument("--output", type=Path, help="worksheet (default bench/results/precision-<date>.md)")
    parser.add_argument("--judged", type=Path, metavar="FILE", help="print the precision tables of a judged worksheet")
    args = parser.parse_args()
    if args.judged:
        print(precision_report(*read_judged(args.judged)))
        return
    dialects = [d.strip() for d in args.dialects.split(",") if d.strip()]
    if not dialects or any(d not in DIALECTS for d in dialects):
        parser.error(f"--dialects: choose from {', '.join(DIALECTS)}")
    if args.min_per_code < 1 or args.total < 1:
        parser.error("--min-per-code and --total must be at least 1")
    output = args.output or REPO / "bench" / "results" / f"precision-{time.strftime('%Y%m%d')}.md"
    if output.exists() and re.search(r"^verdict:[ \t]*\S", output.read_text(encoding="utf-8"), re.MULTILINE):
        sys.exit(f"bench: {output} has verdicts already; choose another --output")

    env = environment()
    findings, checked = [], {}
    with tempfile.TemporaryDirectory(prefix="wsync-precision-") as tmp:
        for dialect in dialects:
            paths = listed_files(args.corpus, dialect)
            print(f"{dialect}: checking {len(paths)} files ...", file=sys.stderr)
            found = collect(args.corpus, dialect, paths, Path(tmp))
            findings += found
            checked[dialect] = [len(paths), len({f["path"] for f in found})]
    counts = tally(findings)
    alloc = allocate(Counter(f["code"] for f in findings), args.min_per_code, args.total)
    sample = draw(findings, alloc, args.seed)
    for f in sample:
        f["context"] = context(args.corpus, f)
    raw = {
        "environment": env,
        "argv": sys.argv,
        "seed": args.seed,
        "min_per_code": args.min_per_code,
        "total": args.total,
        "corpus": str(args.corpus),
        "checked": {d: {"files": n, "with_finding": m} for d, (n, m) in checked.items()},
        "counts": {c: {d: {"findings": n, "files": m} for d, (n, m) in by.items()} for c, by in counts.items()},
        "sample": sample,
    }
    publish(worksheet(env, args, counts, checked, sample), raw, output, "precision")


if __name__ == "__main__":
    main()
