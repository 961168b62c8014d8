"""``path__subtree="/1/35/"``: the rows whose materialised path starts with a given path.

On PostgreSQL this is ``LIKE '/1/35/%'``, which Django's ``varchar_pattern_ops`` index serves
whatever the database collation. SQLite's LIKE is case-insensitive and cannot use an ordinary
index, so there it is the equivalent range ``path >= '/1/35/' AND path < '/1/350'`` (paths are
ASCII, end with "/", and "0" follows "/"), which the B-tree index answers directly.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import CharField, Lookup
from django.db.models.lookups import StartsWith


@CharField.register_lookup
class Subtree(Lookup):
    lookup_name = "subtree"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params = StartsWith(self.lhs, self.rhs).as_sql(compiler, connection)
        return sql, list(params)

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        path = str(self.rhs)
        if not path.endswith("/"):
            raise ValueError(f"A subtree path ends with '/': {path!r}")
        upper = path[:-1] + "0"
        return f"({lhs} >= %s AND {lhs} < %s)", [*lhs_params, path, *lhs_params, upper]


def subtree_sql(column: str, path: str) -> tuple[str, list[str]]:
    """The condition ``path__subtree`` compiles to, for a raw statement on a hot path: ``column``
    is the quoted column, the result a fragment and its parameters."""
    if not path.endswith("/"):
        raise ValueError(f"A subtree path ends with '/': {path!r}")
    if connection.vendor == "sqlite":
        return f"({column} >= %s AND {column} < %s)", [path, path[:-1] + "0"]
    return f"{column} LIKE %s", [connection.ops.prep_for_like_query(path) + "%"]
