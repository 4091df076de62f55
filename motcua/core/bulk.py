"""Bulk writes of derived or historical rows (the demo's synthesized history, the
historical import): INSERT … executemany of plain tuples.

bulk_create spends most of its time building and compiling model instances (~200,000 for
the demo); here the rows are tuples, and only datetimes and JSON need the backend's
adapter, applied the way the ORM would.
"""

from __future__ import annotations

from django.db import connection, models

BATCH = 2000


def insert_rows(model, names: tuple[str, ...], rows: list[tuple], batch: int = BATCH) -> None:
    if not rows:
        return
    fields = [model._meta.get_field(n) for n in names]
    adapters = []
    for f in fields:
        if isinstance(f, models.DateTimeField):
            adapters.append(connection.ops.adapt_datetimefield_value)
        elif isinstance(f, models.JSONField):
            adapters.append(lambda v, f=f: f.get_db_prep_save(v, connection))
        else:
            adapters.append(None)
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from _meta
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
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
