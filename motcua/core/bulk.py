"""Bulk writes of derived or historical rows (the demo's synthesized history, the
historical import): INSERT … executemany of plain tuples.

bulk_create spends most of its time building and compiling model instances (~200,000 for
the demo); here the rows are tuples, and only datetimes and JSON need the backend's
adapter, applied the way the ORM would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models import Field, ForeignObjectRel

Adapter = Callable[[Any], Any]

BATCH = 2000


def insert_rows(
    model: type[models.Model],
    names: tuple[str, ...],
    rows: Sequence[tuple[Any, ...]],
    batch: int = BATCH,
) -> None:
    if not rows:
        return
    fields = [model._meta.get_field(n) for n in names]
    columns = [_column(f) for f in fields]
    adapters: list[Adapter | None] = []
    for f in fields:
        if isinstance(f, models.DateTimeField):
            adapters.append(connection.ops.adapt_datetimefield_value)
        elif isinstance(f, models.JSONField):
            adapters.append(_json_adapter(f))
        else:
            adapters.append(None)
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from _meta
        quote(model._meta.db_table),
        ", ".join(quote(c) for c in columns),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cur:
        for start in range(0, len(rows), batch):
            cur.executemany(
                sql,
                [
                    tuple(
                        a(v) if a is not None and v is not None else v
                        for a, v in zip(adapters, row, strict=True)
                    )
                    for row in rows[start : start + batch]
                ],
            )


def _json_adapter(field: models.JSONField[Any, Any]) -> Adapter:
    return lambda value: field.get_db_prep_save(value, connection)


def _column(field: Field[Any, Any] | ForeignObjectRel) -> str:
    """The column of a concrete field (a reverse relation or a many-to-many has none)."""
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise ValueError(f"{field.name} has no column of its own")
    return column


def update_column(
    table: str, column: str, pairs: Sequence[tuple[Any, int]], *, using: Any = None
) -> None:
    """SET `column` = value WHERE id = pk for each (value, pk) of `pairs`: on PostgreSQL
    one UPDATE … FROM (VALUES …) per 1,000 rows, elsewhere executemany."""
    conn = using or connection
    quote = conn.ops.quote_name
    with conn.cursor() as cur:
        if conn.vendor != "postgresql":
            cur.executemany(
                f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s",  # noqa: S608
                list(pairs),
            )
            return
        for start in range(0, len(pairs), 1000):
            chunk = pairs[start : start + 1000]
            values = ", ".join(["(%s, %s::bigint)"] * len(chunk))
            cur.execute(
                f"UPDATE {quote(table)} AS t SET {quote(column)} = v.value "  # noqa: S608
                f"FROM (VALUES {values}) AS v(value, pk) WHERE t.id = v.pk",
                [x for pair in chunk for x in pair],
            )
