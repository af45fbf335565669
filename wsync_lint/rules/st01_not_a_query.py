"""A statement in the model is not a query.

## What it does
Reports every statement that does not just return rows: DML (`INSERT`, `UPDATE`, `DELETE`,
`MERGE`, also after a `WITH` clause), DDL (`CREATE`, `ALTER`, `DROP`, `TRUNCATE` ...), DCL
(`GRANT`, `REVOKE`), session and scripting statements (`USE`, `SET`, `ALTER SESSION`,
`BEGIN`, `DECLARE`, `CALL`, `EXECUTE IMMEDIATE`), data movement (`COPY`, `UNLOAD`, `PUT`,
`EXPORT DATA`), utility statements (`SHOW`, `DESCRIBE`, `EXPLAIN`, `VACUUM` ...), and
`SELECT ... INTO`, which creates a table. The position is the statement's first word.

When the file parses, the statement kind comes from the parse tree; when it does not, from the
first word of each `;`-separated statement (an unknown first word is left to PS01).

## Why is this bad?
mParticle runs the model inside its own query (`SELECT COUNT(*) FROM ( <model> ) ...`), and
documents that `DELETE`, `UPDATE`, `DROP`, `CREATE` and `ALTER` are not supported: a data model
must be one read-only `SELECT`. Anything else is rejected, or worse, changes the warehouse.

## Example
```sql
CREATE OR REPLACE TABLE mp.crm.audience AS
SELECT customer_id, email FROM mp.crm.customers
```

## Use instead
```sql
SELECT customer_id, email FROM mp.crm.customers
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp
from sqlglot.tokens import Token, TokenType

from wsync_lint.analysis.token_text import code_tokens, template_spans, word
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.sql.lexicon import split_statements

# First words of statements that are not queries (used when the file does not parse).
STATEMENT_KEYWORDS = frozenset(
    {
        "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "REPLACE", "CREATE", "ALTER", "DROP",
        "UNDROP", "TRUNCATE", "RENAME", "COMMENT", "GRANT", "REVOKE", "DENY", "USE", "SET",
        "UNSET", "RESET", "CALL", "EXEC", "EXECUTE", "COPY", "UNLOAD", "LOAD", "PUT", "GET",
        "REMOVE", "LIST", "EXPORT", "BEGIN", "START", "COMMIT", "ROLLBACK", "ABORT", "END",
        "DECLARE", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "ANALYZE", "VACUUM", "REFRESH",
        "OPTIMIZE", "MSCK", "CACHE", "UNCACHE", "CLONE", "LOCK", "PREPARE", "DEALLOCATE",
        "RESTORE", "ASSERT", "IF", "FOR", "WHILE", "LOOP", "REPEAT", "RETURN", "RAISE", "FETCH",
        "OPEN", "CLOSE", "CHECKPOINT", "CLUSTER", "REINDEX", "ADD", "FSCK", "DO",
    }
)  # fmt: skip
# First words of queries (a statement that starts so is never reported from tokens alone).
QUERY_KEYWORDS = frozenset({"SELECT", "WITH", "VALUES", "FROM", "TABLE", "("})
_WORD_PART = re.compile(r"[A-Za-z_]\w*\Z")
_DML_AFTER_WITH = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE"})
# Words that may come between CREATE/ALTER/DROP and the kind of object.
_MODIFIERS = frozenset(
    {"OR", "REPLACE", "TEMP", "TEMPORARY", "TRANSIENT", "SECURE", "VOLATILE", "LOCAL", "GLOBAL",
     "IF", "NOT", "EXISTS", "UNLOGGED", "RECURSIVE"}
)  # fmt: skip
# Words that start a longer object kind (`CREATE ROW ACCESS POLICY`, `CREATE MASKING POLICY`).
_KIND_PREFIXES = frozenset(
    {"MATERIALIZED", "EXTERNAL", "DYNAMIC", "ICEBERG", "HYBRID", "EVENT", "MASKING", "ROW", "ACCESS",
     "NETWORK", "STORAGE", "NOTIFICATION", "API", "SECURITY", "RESOURCE", "FILE", "AUTHENTICATION",
     "PASSWORD", "AGGREGATION", "PROJECTION", "STREAMING", "SEMANTIC", "CORTEX", "SEARCH"}
)  # fmt: skip
_KIND_AFTER = frozenset({"CREATE", "ALTER", "DROP", "UNDROP", "TRUNCATE", "SHOW", "DESCRIBE", "COMMENT"})


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    templated = bool(template_spans(ctx))
    # In a Jinja file the statements are read from the code between the template blocks.
    chunks = split_statements(code_tokens(ctx)) if templated else ctx.statement_chunks
    if not chunks:
        return
    statements = ctx.statements
    if not templated and ctx.parse_failure is None and len(statements) == len(chunks):
        labels = [_label_from_tree(statement, chunk) for statement, chunk in zip(statements, chunks, strict=True)]
    else:
        labels = [_label_from_tokens(chunk) for chunk in chunks]
    for chunk, label in zip(chunks, labels, strict=True):
        if label is not None:
            yield _finding(chunk, label)


def _finding(chunk: list[Token], label: str) -> Finding:
    first = chunk[0]
    hint = "keep only the SELECT that returns the rows to sync; run other statements elsewhere"
    if label == _SELECT_INTO:
        message = (
            "`SELECT ... INTO` stores the result (in a new table or a variable) instead of returning rows: "
            "a data model must be a single SELECT"
        )
        hint = "remove the `INTO` clause"
    elif label == _EXPRESSION:
        message = f"`{first.text}` does not start a query: a data model must be a single SELECT"
    else:
        after_with = " (after a `WITH` clause)" if word(first) == "WITH" else ""
        message = f"`{label}` statement{after_with}: a data model must be a single SELECT"
    return Finding(first, message, hint=hint)


_SELECT_INTO = "SELECT ... INTO"
_EXPRESSION = "expression"
_NON_QUERY_TYPES: tuple[type[exp.Expression], ...] = (
    exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Alter, exp.Drop, exp.Command,
)  # fmt: skip


def _label_from_tree(statement: exp.Expression, chunk: list[Token]) -> str | None:
    """How to name ``statement`` if it is not a query, else None."""
    if isinstance(statement, exp.Query):
        if isinstance(statement, exp.Select) and statement.args.get("into") is not None:
            return _SELECT_INTO
        return None
    if isinstance(statement, (exp.Values, exp.Table)):
        return None  # query forms sqlglot does not model as exp.Query
    first = _first_word(chunk)
    if first == "WITH":
        return _after_with(chunk) or (
            type(statement).__name__.upper() if isinstance(statement, _NON_QUERY_TYPES) else None
        )
    if first in QUERY_KEYWORDS and not isinstance(statement, _NON_QUERY_TYPES):
        return None  # `TABLE t`, `FROM t |> ...`: queries sqlglot models otherwise
    if not _known(first):
        return _EXPRESSION
    return _with_kind(first, chunk)


def _first_word(chunk: list[Token]) -> str | None:
    first = chunk[0]
    if first.token_type == TokenType.L_PAREN:
        return "("
    upper = word(first)
    if upper is None and " " in first.text and all(_WORD_PART.match(part) for part in first.text.split()):
        upper = " ".join(first.text.upper().split())  # sqlglot's multi-word keywords: `ADD JAR`
    return upper


def _known(first: str | None) -> bool:
    return first is not None and first.split(" ", 1)[0] in STATEMENT_KEYWORDS


def _label_from_tokens(chunk: list[Token]) -> str | None:
    """The statement kind from its first words, or None for a query or an unknown start."""
    first = _first_word(chunk)
    if first == "WITH":
        return _after_with(chunk)
    if not _known(first):
        return None
    return _with_kind(first, chunk)


def _with_kind(first: str, chunk: list[Token]) -> str:
    """``first`` plus the object kind for CREATE/ALTER/DROP and the like (`CREATE TABLE`)."""
    if first not in _KIND_AFTER:
        return first
    words = [first]
    skip_next = False
    for token in chunk[1:]:
        upper = word(token)
        if upper is None:
            break
        if skip_next or upper in _MODIFIERS:
            skip_next = upper == "OR"  # CREATE OR REPLACE / OR ALTER / OR REFRESH
            continue
        words.append(upper)
        if upper not in _KIND_PREFIXES or len(words) > 3:
            break
    return " ".join(words)


def _after_with(chunk: list[Token]) -> str | None:
    """`INSERT` for `WITH ... INSERT ...`, None for `WITH ... SELECT`."""
    depth = 0
    for token in chunk[1:]:
        kind = token.token_type
        if kind in (TokenType.L_PAREN, TokenType.L_BRACKET):
            depth += 1
        elif kind in (TokenType.R_PAREN, TokenType.R_BRACKET):
            depth -= 1
        elif depth == 0:
            upper = word(token)
            if upper == "SELECT":
                return None
            if upper in _DML_AFTER_WITH:
                return upper
    return None


RULE = Rule(
    code="ST01",
    name="not-a-query",
    check=check,
    doc=__doc__,
    needs=Needs.TEXT,
    default_severity=Severity.ERROR,
)
