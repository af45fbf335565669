"""Names as one warehouse compares and writes them: the keys identifiers resolve by, and their text.

:class:`Names` is what the FROM items (:mod:`wsync_lint.analysis.from_items`) need to know their
names by, and the base of the scope analysis (:class:`wsync_lint.analysis.scopes.Analysis`), so
case rules live in one place: :meth:`~wsync_lint.mparticle.warehouses.Warehouse.reference_key`.
"""

from __future__ import annotations

from sqlglot import exp

from wsync_lint.mparticle.warehouses import Warehouse

Key = tuple[str, ...]


class Names:
    """How one warehouse compares and writes names."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse: Warehouse = warehouse
        self.dialect = warehouse.name
        self._keys: dict[tuple[str, bool], str] = {}
        """Keys computed so far: a file names the same few columns and tables over and over."""

    def key(self, identifier: exp.Identifier) -> str:
        """The warehouse's resolution key for a name."""
        spelled = (identifier.name, bool(identifier.quoted))
        found = self._keys.get(spelled)
        if found is None:
            found = self._keys[spelled] = self.warehouse.reference_key(*spelled)
        return found

    def name_keys(self, parts: tuple[exp.Identifier, ...] | list[exp.Identifier]) -> Key:
        """Keys of a dotted name; BigQuery's backticked ```p.d.t``` counts as three parts."""
        keys: list[str] = []
        for part in parts:
            if self.dialect == "bigquery" and part.quoted and "." in part.name:
                keys.extend(self.warehouse.reference_key(piece, True) for piece in part.name.split("."))
            else:
                keys.append(self.key(part))
        return tuple(keys)

    def written_name(self, parts: tuple[exp.Identifier, ...] | list[exp.Identifier]) -> str:
        """A dotted name for a message: BigQuery paths without their backticks (`p.d.t`)."""
        if self.dialect == "bigquery":
            return ".".join(part.name for part in parts)
        return ".".join(self.written(part) for part in parts)

    def written(self, node: exp.Expression) -> str:
        """A node as the user would write it in this dialect."""
        if isinstance(node, exp.Identifier):
            return self._identifier_text(node)
        if isinstance(node, exp.Column) and all(isinstance(p, exp.Identifier) for p in node.parts):
            return ".".join(self._identifier_text(p) for p in node.parts)  # type: ignore[arg-type]
        return node.sql(dialect=self.dialect, comments=False)

    def _identifier_text(self, identifier: exp.Identifier) -> str:
        if not identifier.quoted:
            return identifier.name
        quote = self.warehouse.identifier_quote
        return quote + identifier.name.replace(quote, quote * 2) + quote
