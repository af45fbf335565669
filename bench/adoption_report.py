"""The adoption bench's Markdown report: the targets with their verdicts, then parts (a), (b) and (c).

Every figure is computed from the parts' medians (see adoption_runs.py) when the report is written.
"""

from __future__ import annotations

from adoption_runs import SUBSET_MAX_BYTES
from adoption_venvs import ENVS

TARGETS = {"sqlfluff": 50.0, "parse": 1.3, "parse_dialect": 1.5, "jobs": 1.7, "rss_mib": 150.0}
JUDGED = {"sqlfluff": "sqlglotc", "parse": "pure", "jobs": "sqlglotc", "rss_mib": "sqlglotc"}
"""The environment each target is judged in: check ÷ parse on pure sqlglot (issue 16), the rest on
the default install (`sqlglotc` here: the default install brings it on this platform)."""


def totals(parts: list[dict], side: str, key: str = "median_s") -> float:
    return sum(part["sides"][side][key] for part in parts)


def verdict(value: float, target: float, higher_is_better: bool) -> str:
    ok = value >= target if higher_is_better else value <= target
    return "**met**" if ok else "**not met**"


def render(meta: dict, corpus_parts: list[dict], fluff_parts: list[dict]) -> str:
    venvs = meta["venvs"]
    lines = [
        "# wsync-lint adoption figures: --jobs, check vs bare parse, wsync-lint vs sqlfluff",
        "",
        f"{meta['when']}; Python {venvs['pure']['python']}, sqlglot {venvs['pure']['sqlglot']} "
        f"(pure) / sqlglot {venvs['sqlglotc']['sqlglot']} + sqlglotc {venvs['sqlglotc']['sqlglotc']} (compiled), "
        + (f"sqlfluff {venvs['sqlfluff']['sqlfluff']}, " if "sqlfluff" in venvs else "")
        + f"wsync-lint {venvs['pure']['wsync-lint']} from commit {meta['commit'] or '?'} with "
        f"{meta['uncommitted_files']} uncommitted files (package snapshot {meta['fingerprint']}); "
        f"{meta['cpus']} CPUs; load average (1 min) {meta['load']['start'][0]:.2f} at start, "
        + ", ".join(f"{v[0]:.2f} {k}" for k, v in meta["load"].items() if k != "start")
        + ".",
        f"Medians of {meta['repeat']} alternating whole-process runs per side"
        + (f" ({meta['sqlfluff_repeat']} for sqlfluff)" if fluff_parts else "")
        + f"; in-process figures: medians of {meta['in_repeat']} passes. Read the ratios: both sides of each were "
        "measured in the same minutes.",
        "",
        "Each environment is a fresh virtual environment holding the same snapshot of the checkout: "
        "`sqlglotc` is `pip install wsync-lint`, the default install, which brings sqlglotc wherever it has a "
        "wheel (this platform); `pure` is the same install with sqlglotc uninstalled (what a platform without a "
        "wheel gets). Every wsync-lint run is cold (`--no-cache`).",
        "",
    ]
    lines += [
        "## Targets",
        "",
        "Each figure is the total over the dialects, with the weakest dialect in brackets. The verdict is on "
        "the environment the target names (check ÷ parse: pure sqlglot; the others: the default install) and its "
        "total, and says whether every dialect meets it too (check ÷ parse: each dialect ≤ "
        f"{TARGETS['parse_dialect']}×).",
        "",
        "| target | measured as | pure (weakest dialect) | sqlglotc (weakest dialect) | verdict |",
        "|---|---|---:|---:|---|",
        *target_rows(meta, corpus_parts, fluff_parts),
        "",
    ]
    if corpus_parts:
        lines += jobs_section(corpus_parts) + parse_section(corpus_parts)
    if fluff_parts:
        lines += sqlfluff_section(meta, fluff_parts)
    return "\n".join(lines)


def side_ratio(parts: list[dict], over: str, under: str, weakest) -> tuple[float, float]:
    """``over`` time ÷ ``under`` time over all the dialects, and the weakest dialect's (``weakest``: min or max)."""
    return (
        totals(parts, over) / totals(parts, under),
        weakest(p["sides"][over]["median_s"] / p["sides"][under]["median_s"] for p in parts),
    )


def in_process_ratio(parts: list[dict], env: str) -> tuple[float, float]:
    """In-process check ÷ parse over all the dialects, and the weakest dialect's."""
    parse = sum(p["in_process"][env]["parse_s"] for p in parts)
    check = sum(p["in_process"][env]["check_s"] for p in parts)
    return check / parse, max(p["in_process"][env]["check_s"] / p["in_process"][env]["parse_s"] for p in parts)


def peak_rss(parts: list[dict], env: str) -> tuple[float, float]:
    """The largest peak resident memory of ``check --jobs 1`` in any dialect (MiB), twice (total and weakest)."""
    peak = max(p["sides"][f"{env} -j1"]["rss_mib"] for p in parts)
    return peak, peak


def target_rows(meta: dict, corpus_parts: list[dict], fluff_parts: list[dict]) -> list[str]:
    """The Targets table's rows: (c)'s sqlfluff ratios, then (b)'s parse ratios, (a)'s jobs ratio and memory."""
    # (target, measured as, (total, weakest dialect) per environment, format [and unit, else ×], limit,
    # limit per dialect, higher is better, the environment judged)
    targets = []
    for jobs in meta["sqlfluff_jobs"] if fluff_parts else ():
        targets.append(
            (
                f"≥ {TARGETS['sqlfluff']:.0f}× faster than sqlfluff" + ("" if jobs == 1 else " (both on 2 CPUs)"),
                f"`sqlfluff lint -p {jobs}` time ÷ `wsync-lint check --jobs {jobs}` time, same subsets (c)",
                [side_ratio(fluff_parts, f"sqlfluff -p {jobs}", f"{env} -j{jobs}", min) for env in ENVS],
                ".0f",
                TARGETS["sqlfluff"],
                TARGETS["sqlfluff"],
                True,
                JUDGED["sqlfluff"],
            )
        )
    if corpus_parts:
        parse_target = f"check ≤ {TARGETS['parse']}× bare parse (≤ {TARGETS['parse_dialect']}× per dialect)"
        targets += [
            (
                parse_target,
                "whole process: `check --jobs 1` ÷ bare `sqlglot.parse`, whole corpus (b)",
                [side_ratio(corpus_parts, f"{env} -j1", f"{env} parse", max) for env in ENVS],
                ".2f",
                TARGETS["parse"],
                TARGETS["parse_dialect"],
                False,
                JUDGED["parse"],
            ),
            (
                parse_target,
                "in process (no start-up): summed per-file check ÷ parse, whole corpus (b)",
                [in_process_ratio(corpus_parts, env) for env in ENVS],
                ".2f",
                TARGETS["parse"],
                TARGETS["parse_dialect"],
                False,
                JUDGED["parse"],
            ),
            (
                f"jobs 2 ≥ {TARGETS['jobs']}× jobs 1",
                "files/s of `check --jobs 2` ÷ files/s of `--jobs 1`, whole corpus (a)",
                [side_ratio(corpus_parts, f"{env} -j1", f"{env} -j2", min) for env in ENVS],
                ".2f",
                TARGETS["jobs"],
                TARGETS["jobs"],
                True,
                JUDGED["jobs"],
            ),
            (
                f"peak memory ≤ {TARGETS['rss_mib']:.0f} MiB",
                "largest peak resident memory of `check --jobs 1` over a dialect's whole corpus (a), MiB",
                [peak_rss(corpus_parts, env) for env in ENVS],
                ".0f MiB",
                TARGETS["rss_mib"],
                TARGETS["rss_mib"],
                False,
                JUDGED["rss_mib"],
            ),
        ]
    rows = []
    for target, measured, cells, fmt, limit, dialect_limit, higher, judged in targets:
        total, worst = cells[ENVS.index(judged)]
        every = "yes" if (worst >= dialect_limit if higher else worst <= dialect_limit) else "no"
        spec, _, unit = fmt.partition(" ")
        unit = f" {unit}" if unit else "×"
        rows.append(
            f"| {target} | {measured} | "
            + " | ".join(f"{t:{spec}}{unit} ({w:{spec}}{unit})" for t, w in cells)
            + f" | {judged}: {verdict(total, limit, higher)}; in every dialect: {every} |"
        )
    return rows


def jobs_section(corpus_parts: list[dict]) -> list[str]:
    """(a): files/s of --jobs 1 and --jobs 2 per environment and dialect."""
    lines = [
        "## (a) Whole corpus: files/s with --jobs 1 and --jobs 2",
        "",
        "Every plain `.sql` file of the four dialect folders (`<dialect>/<source>/**.sql`, hidden folders "
        "included), one `wsync-lint check --dialect D -q --exit-zero --format json --jobs N <files>` process per "
        "dialect; the total is the sum of the per-dialect medians. **Jinja files are not included**: they are "
        "dbt templates, not Warehouse Sync models (mParticle runs a model's SQL as written), sqlglot rejects 98 % "
        "of them unrendered, and leaving them out keeps these figures comparable with bench_check.py and "
        "perf-baseline.md, which use the plain files. The 3 `generic` files (sqlglot's own stress files in its "
        "default dialect, no warehouse) are not included either.",
        "",
        "| env | dialect | files | KiB | --jobs 1 s | --jobs 2 s | files/s -j1 | files/s -j2 | jobs 2 ÷ jobs 1 "
        "| CPU s -j1 / -j2 | peak MiB -j1 / -j2 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for env in ENVS:
        rows = [
            (p["dialect"], p["files"], p["kib"], p["sides"][f"{env} -j1"], p["sides"][f"{env} -j2"])
            for p in corpus_parts
        ]
        total_files, total_kib = sum(r[1] for r in rows), sum(r[2] for r in rows)
        t1, t2 = sum(r[3]["median_s"] for r in rows), sum(r[4]["median_s"] for r in rows)
        c1, c2 = sum(r[3]["cpu_s"] for r in rows), sum(r[4]["cpu_s"] for r in rows)
        for dialect, files, size, j1, j2 in rows:
            lines.append(
                f"| {env} | {dialect} | {files:,} | {size:,.0f} | {j1['median_s']:.2f} | {j2['median_s']:.2f} | "
                f"{files / j1['median_s']:.0f} | {files / j2['median_s']:.0f} | "
                f"{j1['median_s'] / j2['median_s']:.2f}× | "
                f"{j1['cpu_s']:.1f} / {j2['cpu_s']:.1f} | {j1['rss_mib']:.0f} / {j2['rss_mib']:.0f} |"
            )
        lines.append(
            f"| **{env}** | **all** | **{total_files:,}** | **{total_kib:,.0f}** | **{t1:.2f}** | **{t2:.2f}** | "
            f"**{total_files / t1:.0f}** | **{total_files / t2:.0f}** | **{t1 / t2:.2f}×** | {c1:.1f} / {c2:.1f} | |"
        )
    lines.append("")
    return lines


def parse_section(corpus_parts: list[dict]) -> list[str]:
    """(b): check ÷ bare parse, whole process and in process, and the sqlglotc speed-up."""
    lines = [
        "## (b) check time ÷ bare sqlglot parse time",
        "",
        "Whole process: the bare parse is bench_check.py's (read each file, `sqlglot.parse(text, read=D)`, catch "
        "sqlglot's errors) in the same environment, against `check --jobs 1` (one process each), same runs as (a). "
        "In process: bench_check.py's child, summed per-file `sqlglot.parse` against "
        "`wsync_lint.engine.python_api.lint_string` "
        "on texts already in memory (no start-up, no file I/O).",
        "",
        "| env | dialect | parse s | check -j1 s | ratio | ratio, fastest runs | CPU ratio | in-process parse s "
        "| in-process check s | in-process ratio | sqlglot failures |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for env in ENVS:
        sums = [0.0] * 5
        for p in corpus_parts:
            parse, check, inp = p["sides"][f"{env} parse"], p["sides"][f"{env} -j1"], p["in_process"][env]
            lines.append(
                f"| {env} | {p['dialect']} | {parse['median_s']:.2f} | {check['median_s']:.2f} | "
                f"{check['median_s'] / parse['median_s']:.2f}× | {check['fastest_s'] / parse['fastest_s']:.2f}× | "
                f"{check['cpu_s'] / parse['cpu_s']:.2f}× | {inp['parse_s']:.2f} | {inp['check_s']:.2f} | "
                f"{inp['check_s'] / inp['parse_s']:.2f}× | {parse['last']['failed']:,} |"
            )
            for i, value in enumerate(
                (parse["median_s"], check["median_s"], parse["cpu_s"], inp["parse_s"], inp["check_s"])
            ):
                sums[i] += value
        cpu_check = sum(p["sides"][f"{env} -j1"]["cpu_s"] for p in corpus_parts)
        lines.append(
            f"| **{env}** | **all** | **{sums[0]:.2f}** | **{sums[1]:.2f}** | **{sums[1] / sums[0]:.2f}×** | | "
            f"{cpu_check / sums[2]:.2f}× | {sums[3]:.2f} | {sums[4]:.2f} | **{sums[4] / sums[3]:.2f}×** | |"
        )
    lines += ["", "sqlglotc speed-up (pure ÷ sqlglotc, whole corpus):"]
    for label, side in (
        ("bare parse, whole process", "parse"),
        ("check --jobs 1", "-j1"),
        ("check --jobs 2", "-j2"),
    ):
        lines.append(
            f"- {label}: {totals(corpus_parts, f'pure {side}') / totals(corpus_parts, f'sqlglotc {side}'):.2f}×"
        )
    in_pure = sum(p["in_process"]["pure"]["check_s"] for p in corpus_parts)
    in_c = sum(p["in_process"]["sqlglotc"]["check_s"] for p in corpus_parts)
    lines += [f"- check, in process: {in_pure / in_c:.2f}×", ""]
    return lines


def sqlfluff_section(meta: dict, fluff_parts: list[dict]) -> list[str]:
    """(c): sqlfluff against wsync-lint and the bare parse on the same subsets."""
    jobs_list = meta["sqlfluff_jobs"]
    lines = [
        "## (c) sqlfluff vs wsync-lint on the same files",
        "",
        f"Per dialect, {meta['subset_size']} random plain files of at most {SUBSET_MAX_BYTES:,} bytes (seed "
        f"{meta['subset_seed']}; the method of perf-baseline.md, re-drawn here, so not necessarily its exact "
        "lists). `sqlfluff lint --dialect D -p N --disable-progress-bar --nofail <files>` (default rules and "
        "configuration) against `wsync-lint check --dialect D -q --exit-zero --format json --jobs N <files>`, "
        "whole process, from the dialect folder. `parse` is the bare pure-sqlglot parse of the same files (the "
        "baseline's table 2 anchor).",
        "",
        "| dialect | files | KiB | "
        + " | ".join(f"sqlfluff -p {j} s" for j in jobs_list)
        + " | parse s | pure -j1 s | pure -j2 s | sqlglotc -j1 s | sqlglotc -j2 s | "
        + " | ".join(f"sqlfluff -p {j} ÷ pure -j{j} | ÷ sqlglotc -j{j}" for j in jobs_list)
        + " | sqlfluff -p 1 ÷ parse |",
        "|---|---:|---:|" + "---:|" * (len(jobs_list) + 5 + 2 * len(jobs_list) + 1),
    ]
    rows = [*fluff_parts, None]
    for p in rows:
        if p is None:
            fig = {name: sum(q["sides"][name]["median_s"] for q in fluff_parts) for name in fluff_parts[0]["sides"]}
            head = (
                f"| **all** | {sum(q['files'] for q in fluff_parts):,} | {sum(q['kib'] for q in fluff_parts):,.0f} | "
            )
        else:
            fig = {name: side["median_s"] for name, side in p["sides"].items()}
            head = f"| {p['dialect']} | {p['files']:,} | {p['kib']:,.0f} | "
        ratios = []
        for j in jobs_list:
            ratios += [
                f"{fig[f'sqlfluff -p {j}'] / fig[f'pure -j{j}']:.0f}×",
                f"{fig[f'sqlfluff -p {j}'] / fig[f'sqlglotc -j{j}']:.0f}×",
            ]
        lines.append(
            head
            + " | ".join(f"{fig[f'sqlfluff -p {j}']:.1f}" for j in jobs_list)
            + f" | {fig['pure parse']:.2f} | {fig['pure -j1']:.2f} | {fig['pure -j2']:.2f} | "
            f"{fig['sqlglotc -j1']:.2f} | "
            f"{fig['sqlglotc -j2']:.2f} | "
            + " | ".join(ratios)
            + (f" | {fig['sqlfluff -p 1'] / fig['pure parse']:.0f}× |" if 1 in jobs_list else " | - |")
        )
    stderr = {p["dialect"]: p["sides"][f"sqlfluff -p {jobs_list[0]}"]["last"].get("stderr") for p in fluff_parts}
    stderr = {k: v for k, v in stderr.items() if v}
    lines.append("")
    if stderr:
        lines.append("sqlfluff wrote to stderr (last lines, exit code 0):")
        for dialect, text in stderr.items():
            lines.append(f"- {dialect}: `{text.splitlines()[-1][:200]}`")
        lines.append("")
    return lines
