"""Reading payload files (JSON or YAML) into values that remember where each key was written.

JSON is decoded by :mod:`json` (the authority on what is valid JSON and on its values); the
positions of keys and values come from PyYAML's composer, which keeps a mark for every node
and reads JSON as YAML flow style. YAML is composed and constructed in one pass. Unquoted YAML
timestamps stay strings: the API receives them as JSON strings, and PL05 checks their text.

A file that cannot be decoded is not an exception: :func:`load_payload_file` returns a
:class:`PayloadFile` whose ``problem`` says what is wrong and where (PS05).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from wsync_lint.sql.positions import LineIndex, Span

PAYLOAD_SUFFIXES = (".json", ".yaml", ".yml")

# Words at least one of which every Warehouse Sync payload contains. A JSON or YAML file with none
# of them (package.json, a CI workflow) is not a payload and is left alone, unread.
MARKERS = (
    "service_provider", "pipeline_type", "sql_query", "sql_file", "data_model_id", "connection_id",
    "field_transformation_id", "destination_type", "mapping_type", "module_name", "sync_mode",
    "schedule_interval", "source_account_id", "load_timestamp_field_name", "pipeline_id",
    "iterator_field", "iterator_data_type", "service_account_key", "service_account_id", "account_identifier",
    "storage_integration", "aws_iam_role_arn",
)  # fmt: skip

Pointer = tuple[str | int, ...]
"""A path into a document: keys and list indexes (``("sync_mode", "iterator_field")``)."""


@dataclass(frozen=True)
class Place:
    """Where a key and its value were written in a file (character offsets)."""

    key: Span | None
    """The key's text (None for list items and the document root)."""
    value: Span
    """The value's text: a scalar, or a whole object or list."""


@dataclass(frozen=True)
class PayloadProblem:
    """Why a file could not be read as a payload (PS05)."""

    message: str
    span: Span
    hint: str


@dataclass
class PayloadFile:
    """One payload file: its text, its documents and where every key sits."""

    path: str
    """As displayed (relative to the working folder)."""
    text: str
    documents: list[Any] = field(default_factory=list)
    """Each YAML document (a JSON file has one): an object, a list of objects or anything else."""
    places: dict[tuple[int, Pointer], Place] = field(default_factory=dict)
    """(document index, pointer) -> where it was written."""
    problem: PayloadProblem | None = None
    lines: LineIndex = field(default=None, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.lines is None:
            self.lines = LineIndex(self.text)

    def place(self, document: int, pointer: Pointer) -> Place:
        """Where ``pointer`` was written, or its nearest written ancestor (the file's start if none)."""
        while True:
            found = self.places.get((document, pointer))
            if found is not None:
                return found
            if not pointer:
                return Place(None, Span(0, 0))
            pointer = pointer[:-1]


# A data model whose query sits under a key Warehouse Sync does not know (`config.query`) names
# none of the markers. A file that mentions `sql` or `query` is read too, and kept only when it
# holds a recognisable data model (see resources.holds_data_model), so that a CI workflow that
# mentions `mysql` is still left alone.
_MAYBE_MODEL = re.compile(r"sql|query", re.IGNORECASE)

# Git's conflict markers: `<<<<<<< ours`, `||||||| base` (diff3), `=======`, `>>>>>>> theirs`, each
# at the start of a line. A lone `=======` may be a heading's underline, so a conflict needs an
# opening or closing marker too.
_CONFLICT_MARKER = re.compile(r"^(?:<{7}|\|{7}|>{7})(?:[ \t].*)?$|^={7}[ \t\r]*$", re.MULTILINE)


def looks_like_payload(text: str) -> bool:
    """Whether ``text`` mentions a Warehouse Sync key (cheap: no parsing)."""
    return any(marker in text for marker in MARKERS)


def may_hold_data_model(text: str) -> bool:
    """Whether ``text`` might be a data model that names no Warehouse Sync key (cheap)."""
    return _MAYBE_MODEL.search(text) is not None


def conflict_marker(text: str) -> Span | None:
    """Where the first merge-conflict marker of an unresolved conflict is, if ``text`` holds one."""
    markers = list(_CONFLICT_MARKER.finditer(text))
    opening = [found for found in markers if found.group().startswith("<")]
    if not opening and not any(found.group().startswith(">") for found in markers):
        return None
    # The conflict starts at its `<<<<<<<`; without one (half resolved by hand), at the first marker.
    first = (opening or markers)[0].start()
    return Span(first, first + 7)


def load_payload_file(path: str, text: str) -> PayloadFile:
    """Decode ``text`` (JSON when ``path`` ends in ``.json``, else YAML) with key positions."""
    loaded = PayloadFile(path, text)
    marker = conflict_marker(text)
    if marker is not None:
        # Decoding would fail somewhere in or after the conflict with a message about syntax,
        # or, worse, succeed with one side's keys and the markers as values.
        loaded.problem = PayloadProblem(
            "unresolved merge conflict: this file still holds Git's conflict markers (`<<<<<<<`, `=======`, "
            "`>>>>>>>`), so it is not valid " + ("JSON" if path.lower().endswith(".json") else "YAML"),
            marker,
            "resolve the conflict: keep the right side's lines and delete the marker lines",
        )
        return loaded
    if path.lower().endswith(".json"):
        _load_json(loaded)
    else:
        _load_yaml(loaded)
    if loaded.problem is None and "\\u" in text:
        loaded.problem = _lone_surrogate(loaded)
    return loaded


_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)", re.DOTALL)


def _lone_surrogate(loaded: PayloadFile) -> PayloadProblem | None:
    """A string (or key) holding half of a UTF-16 surrogate pair (``"\\ud800"``): JSON and YAML
    accept the escape, but it is no character, and no report could be written with it."""
    stack: list[Any] = list(loaded.documents)
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str) and _SURROGATE.search(value):
            return PayloadProblem(
                "a string holds a lone UTF-16 surrogate escape (`\\ud800`-`\\udfff` without its pair), which is "
                "no character: mParticle cannot store it",
                _surrogate_escape(loaded.text),
                "remove the escape, or write the whole character (the pair of escapes, or the character itself)",
            )
    return None


def _surrogate_escape(text: str) -> Span:
    """Where the first escape of half a surrogate pair is written (the file's start if not found)."""
    escapes = list(_ESCAPE.finditer(text))
    for index, escape in enumerate(escapes):
        code = int(escape.group(1), 16) if escape.group(1) else 0
        if not 0xD800 <= code <= 0xDFFF:
            continue
        following = escapes[index + 1] if index + 1 < len(escapes) else None
        paired = (
            code < 0xDC00
            and following is not None
            and following.start() == escape.end()
            and following.group(1) is not None
            and 0xDC00 <= int(following.group(1), 16) <= 0xDFFF
        )
        if not paired and not (code >= 0xDC00 and index and escapes[index - 1].end() == escape.start()):
            return Span(escape.start(), escape.end())
    return Span(0, 0)


def _load_json(loaded: PayloadFile) -> None:
    text = loaded.text
    try:
        loaded.documents = [json.loads(text)]
    except json.JSONDecodeError as error:
        hint = (
            "a JSON string cannot hold a raw line break or tab: write `\\n` or `\\t`"
            if "control character" in error.msg
            else "fix the JSON syntax at this position"
        )
        loaded.problem = PayloadProblem(f"not valid JSON: {error.msg}", Span(error.pos, error.pos + 1), hint)
        return
    except RecursionError:
        loaded.problem = PayloadProblem("not usable JSON: it nests too deeply", Span(0, 0), "flatten the document")
        return
    except ValueError as error:  # an integer too long to convert, the one other failure known
        loaded.problem = _long_integer(text, error)
        return
    node = _compose(text)
    if node is not None:
        _record_places(loaded, 0, node, ())


# A JSON string (skipped whole, so that its digits are not read as a number) or a JSON number: an
# integer when it has neither a fraction nor an exponent. The string is an unrolled loop, which
# cannot backtrack without limit on a string left open.
_STRING_OR_NUMBER = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|-?(\d+)(\.\d+)?([eE][-+]?\d+)?', re.DOTALL)


def _long_integer(text: str, error: ValueError) -> PayloadProblem:
    """The problem of a JSON text that ``json`` decodes but for a ValueError: an integer of more
    digits than Python converts (``sys.get_int_max_str_digits()``, 4,300 by default, a guard
    against quadratic conversion). The error says neither where the integer is nor which file, so
    the integer is found again here: the first one in the text is the one ``json`` stopped at."""
    import sys

    limit = sys.get_int_max_str_digits()
    for found in _STRING_OR_NUMBER.finditer(text):
        digits = found.group(1)
        if digits is not None and found.group(2) is None and found.group(3) is None and len(digits) > limit > 0:
            return PayloadProblem(
                f"not usable JSON: an integer of {len(digits):,} digits, more than the {limit:,} wsync-lint reads: "
                "no Warehouse Sync field holds such a number",
                Span(found.start(), found.end()),
                "write the value the field expects (an id or a name is a string)",
            )
    # Not found again (no other ValueError is known): the reason at least, at the file's start.
    return PayloadProblem(f"not usable JSON: {str(error).splitlines()[0]}", Span(0, 0), "fix the JSON at its value")


def _load_yaml(loaded: PayloadFile) -> None:
    import yaml

    loader = _loader_class()(loaded.text)
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            alias = _record_places(loaded, index, node, ())
            if alias is not None:
                offset = _mark_offset(loaded.lines, alias.start_mark)
                loaded.documents = []
                loaded.problem = PayloadProblem(
                    "this value is anchored and reused through a YAML alias (`*name`): payloads are plain data, and "
                    "aliases can expand without limit",
                    Span(offset, offset + 1),
                    "write the values out in full",
                )
                return
            loaded.documents.append(loader.construct_document(node))
            index += 1
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        offset = _mark_offset(loaded.lines, mark)
        reason = " ".join(part for part in (error.context, error.problem) if part)
        loaded.problem = PayloadProblem(
            f"not valid YAML: {reason}", Span(offset, offset + 1), "fix the YAML syntax at this position"
        )
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as error:
        loaded.problem = PayloadProblem(
            f"not usable YAML: {str(error).splitlines()[0] if str(error) else type(error).__name__}",
            Span(0, 0),
            "write the payload as plain YAML (no tags or anchors needed)",
        )
    finally:
        loader.dispose()


def _mark_offset(lines: LineIndex, mark: Any) -> int:
    if mark is None:
        return 0
    return lines.offset(mark.line + 1, mark.column + 1)


_LOADER: type | None = None


def _loader_class() -> type:
    """PyYAML's safe loader (the C one when built), without the YAML 1.1 timestamp resolver."""
    global _LOADER
    if _LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class PayloadLoader(base):  # type: ignore[misc, valid-type]
            """Safe loading; timestamps stay the strings they were written as."""

        PayloadLoader.yaml_implicit_resolvers = {
            first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
            for first, resolvers in base.yaml_implicit_resolvers.items()
        }
        _LOADER = PayloadLoader
    return _LOADER


def _compose(text: str) -> Any:
    """The YAML node tree of a JSON text, for positions only (None in the rare cases YAML cannot
    read valid JSON, such as keys over 1,024 characters: findings then point at the file's start)."""
    import yaml

    loader = _loader_class()(text)
    try:
        return loader.get_single_node()
    except (yaml.YAMLError, RecursionError):
        return None
    finally:
        loader.dispose()


def _record_places(loaded: PayloadFile, document: int, root: Any, pointer: Pointer) -> Any:
    """Remember where every key and value under ``root`` was written (iteratively: deep
    documents must not exhaust the stack). Returns the first node met twice (a YAML alias), if any."""
    import yaml

    lines = loaded.lines
    places = loaded.places

    def span(node: Any) -> Span:
        start = _mark_offset(lines, node.start_mark)
        end = _mark_offset(lines, node.end_mark)
        return Span(start, max(end, start + 1))

    stack: list[tuple[Any, Pointer, Span | None]] = [(root, pointer, None)]
    seen: set[int] = set()
    while stack:
        node, at, key_span = stack.pop()
        if id(node) in seen:
            return node
        seen.add(id(node))
        places[(document, at)] = Place(key_span, span(node))
        if isinstance(node, yaml.MappingNode):
            # Pushed in reverse so that a repeated key's last occurrence is recorded last, as
            # `json` keeps the last value.
            for key_node, value_node in reversed(node.value):
                if isinstance(key_node, yaml.ScalarNode):
                    stack.append((value_node, (*at, key_node.value), span(key_node)))
        elif isinstance(node, yaml.SequenceNode):
            for index in range(len(node.value) - 1, -1, -1):
                stack.append((node.value[index], (*at, index), None))
    return None


def string_offsets(payload: PayloadFile, document: int, pointer: Pointer) -> list[int]:
    """For the string value at ``pointer``: the file offset of each of its characters (and one
    past its end), so that a finding inside an inline query lands on the query's own text.

    JSON strings are mapped exactly, escapes included. A YAML string is mapped line by line
    where its lines appear as written (block scalars, plain and quoted one-liners); characters
    that cannot be found map to the value's start.
    """
    place = payload.places.get((document, pointer))
    value: Any = payload.documents[document] if payload.documents else None
    for step in pointer:
        value = value[step] if isinstance(value, dict | list) else None
    if place is None or not isinstance(value, str):
        start = place.value.start if place else 0
        return [start] * (len(value) + 1 if isinstance(value, str) else 1)
    text, start, end = payload.text, place.value.start, place.value.end
    if payload.path.lower().endswith(".json") and text.startswith('"', start):
        return _json_string_offsets(text, start, len(value))
    return _found_line_offsets(text, start, end, value)


def _json_string_offsets(text: str, quote: int, length: int) -> list[int]:
    offsets: list[int] = []
    at = quote + 1
    while len(offsets) < length and at < len(text):
        offsets.append(at)
        if text[at] != "\\":
            at += 1
        elif text[at + 1] != "u":
            at += 2
        elif 0xD800 <= int(text[at + 2 : at + 6], 16) < 0xDC00 and text.startswith("\\u", at + 6):
            at += 12  # a surrogate pair is one character
        else:
            at += 6
    offsets.append(at)
    return offsets


def _found_line_offsets(text: str, start: int, end: int, value: str) -> list[int]:
    offsets: list[int] = []
    cursor = start
    for line in value.split("\n"):
        found = text.find(line, cursor, end) if line else -1
        if found == -1:
            offsets.extend([start] * (len(line) + 1))
        else:
            offsets.extend(range(found, found + len(line) + 1))
            cursor = found + len(line)
    return offsets[: len(value) + 1]
