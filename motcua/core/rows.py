"""Precompiled single-row statements for the hot paths of the services.

Building a query through the ORM costs 0.4–1 ms of Python per statement (compiling the
query, resolving lookups, hydrating instances); a dossier transition runs about six such
statements, which made the ORM the largest part of a transition's cost. The statements
here are built once per process from the models' own metadata (table and column names,
the backend's converters and `get_db_prep_save`), then executed on a plain cursor, so the
behaviour — types, time zones, JSON — stays the ORM's while the per-call cost is that of
a cursor call. They cover only what the services need: load rows by primary key (with
to-one relations joined in and cached the way `select_related` caches them), insert one
row, update some columns of one row. Both PostgreSQL and SQLite are supported.

Use them only inside a service function's transaction; everything else keeps the ORM.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any, TypeAlias, TypeVar

from django.db import connection, models

__all__ = ["insert", "load", "save_new", "select", "update"]

M = TypeVar("M", bound=models.Model)
AnyField: TypeAlias = "models.Field[Any, Any]"
# (converters, column) per selected column, None where the value needs no conversion.
Converters: TypeAlias = list[tuple[list[Any], Any] | None]
# (relation field, related model, its attnames, its converters) per joined relation.
Related: TypeAlias = list[tuple[Any, type[models.Model], list[str], Converters]]


_BIGINT = 2**63


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


@cache
def _readers(
    model: type[models.Model], alias: str, vendor: str
) -> tuple[str, list[str], Converters]:
    """(select list, attnames, per-column converters) of `model` under table alias `alias`."""
    fields = list(model._meta.concrete_fields)
    select = ", ".join(f"{_q(alias)}.{_q(_column(f))}" for f in fields)
    converters: Converters = []
    for f in fields:
        col = f.get_col(alias)
        convs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        converters.append((convs, col) if convs else None)
    return select, [f.attname for f in fields], converters


def _hydrate(
    model: type[M], attnames: list[str], converters: Converters, values: Sequence[Any]
) -> M | None:
    values = list(values)
    for i, conv in enumerate(converters):
        if conv is not None:
            convs, col = conv
            v = values[i]
            for c in convs:
                v = c(v, col, connection)
            values[i] = v
    if values[0] is None and attnames[0] == model._meta.pk.attname:
        return None  # the LEFT JOIN found nothing
    return model.from_db(connection.alias, attnames, values)


@cache
def _select_sql(
    model: type[models.Model], joins: tuple[str, ...], vendor: str
) -> tuple[str, list[str], Converters, Related]:
    meta = model._meta
    select, attnames, converters = _readers(model, "t0", vendor)
    parts = [select]
    froms = [f"{_q(meta.db_table)} {_q('t0')}"]
    related: Related = []
    for i, name in enumerate(joins, 1):
        field: Any = meta.get_field(name)
        rel: type[models.Model] = field.related_model
        alias = f"t{i}"
        rselect, rattnames, rconverters = _readers(rel, alias, vendor)
        parts.append(rselect)
        if field.one_to_one and not field.concrete:
            # A reverse one-to-one (the row of another model that points at this one).
            on = f"{_q(alias)}.{_q(field.remote_field.column)} = {_q('t0')}.{_q(_column(meta.pk))}"
            kind = "LEFT JOIN"
        else:
            on = f"{_q(alias)}.{_q(_column(rel._meta.pk))} = {_q('t0')}.{_q(field.column)}"
            kind = "LEFT JOIN" if field.null else "INNER JOIN"
        froms.append(f"{kind} {_q(rel._meta.db_table)} {_q(alias)} ON {on}")
        related.append((field, rel, rattnames, rconverters))
    sql = f"SELECT {', '.join(parts)} FROM {' '.join(froms)}"  # noqa: S608 (names, not input)
    return sql, attnames, converters, related


def _build(
    model: type[M],
    row: Sequence[Any],
    attnames: list[str],
    converters: Converters,
    related: Related,
) -> M:
    n = len(attnames)
    obj = _hydrate(model, attnames, converters, row[:n])
    if obj is None:
        raise ValueError(f"{model.__name__}: a row without a primary key")
    start = n
    for field, rel, rattnames, rconverters in related:
        end = start + len(rattnames)
        field.set_cached_value(obj, _hydrate(rel, rattnames, rconverters, row[start:end]))
        start = end
    return obj


def select(
    model: type[M],
    where: str,
    params: Sequence[Any] = (),
    *,
    joins: Iterable[str] = (),
    tail: str = "",
) -> list[M]:
    """Instances of `model` WHERE `where` (SQL on alias t0 with %s parameters; the joined
    relations are t1, t2, … in the order of `joins`), then `tail` (ORDER BY, LIMIT, …).
    `where` and `tail` are code, never user input."""
    sql, attnames, converters, related = _select_sql(model, tuple(joins), connection.vendor)
    with connection.cursor() as cur:
        cur.execute(f"{sql} WHERE {where} {tail}", list(params))
        found = cur.fetchall()
    return [_build(model, row, attnames, converters, related) for row in found]


@cache
def _load_sql(
    model: type[models.Model], joins: tuple[str, ...], by: str, lock: bool, vendor: str
) -> tuple[str, list[str], Converters, Related]:
    sql, attnames, converters, related = _select_sql(model, joins, vendor)
    column = _column(model._meta.pk if by == "pk" else model._meta.get_field(by))
    sql += f" WHERE {_q('t0')}.{_q(column)} = %s"
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
        if connection.features.has_select_for_update_of:
            sql += f" OF {_q('t0')}"
    return sql, attnames, converters, related


def load(
    model: type[M],
    value: Any,
    *,
    by: str = "pk",
    joins: Iterable[str] = (),
    lock: bool = False,
) -> M | None:
    """The row of `model` whose `by` field (the primary key by default, else a unique
    field) equals `value`, as an instance (None if absent), with the to-one relations named
    in `joins` (foreign keys, or reverse one-to-ones by their accessor name) loaded and
    cached on it as select_related does; `lock` adds FOR UPDATE (of that row only)."""
    if isinstance(value, int) and not -_BIGINT <= value < _BIGINT:
        return None  # out of any integer column's range: no such row (as the ORM answers)
    if isinstance(value, str) and "\x00" in value:
        return None  # PostgreSQL text cannot hold NUL, so no row has it
    sql, attnames, converters, related = _load_sql(model, tuple(joins), by, lock, connection.vendor)
    with connection.cursor() as cur:
        cur.execute(sql, [value])
        row = cur.fetchone()
    if row is None:
        return None
    return _build(model, row, attnames, converters, related)


def save_new(obj: M) -> M:
    """INSERT a new instance (defaults and auto_now fields applied as Model.save does; no
    signals are sent) and set its primary key."""
    meta = obj._meta
    auto_pk = meta.pk if getattr(obj, meta.pk.attname) is None else None
    values = {f.attname: f.pre_save(obj, True) for f in meta.concrete_fields if f is not auto_pk}
    pk = insert(type(obj), values)
    if auto_pk is not None:
        setattr(obj, auto_pk.attname, pk)
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


@cache
def _insert_sql(
    model: type[models.Model], names: tuple[str, ...], vendor: str
) -> tuple[str, list[AnyField]]:
    meta = model._meta
    fields = [_concrete(meta.get_field(n)) for n in names]
    sql = (
        f"INSERT INTO {_q(meta.db_table)} ({', '.join(_q(_column(f)) for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    if connection.features.can_return_columns_from_insert:
        sql += f" RETURNING {_q(_column(meta.pk))}"
    return sql, fields


# Fields whose well-typed Python value psycopg sends as is: on PostgreSQL their
# get_db_prep_save only re-checks the type, which these callers (service code, not user
# input) already guarantee. Everything else (JSON, decimals, files, SQLite) is prepared.
_PLAIN = (
    models.IntegerField,
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.DateTimeField,
    models.DateField,
)


@cache
def _preparers(fields: tuple[AnyField, ...], vendor: str) -> tuple[Any, ...]:
    out: list[Any] = []
    for f in fields:
        target = f.target_field if isinstance(f, models.ForeignKey) else f
        plain = vendor == "postgresql" and isinstance(target, _PLAIN)
        out.append(None if plain else f.get_db_prep_save)
    return tuple(out)


def _prep(fields: Sequence[AnyField], values: Iterable[Any]) -> list[Any]:
    preparers = _preparers(tuple(fields), connection.vendor)
    return [v if p is None else p(v, connection) for p, v in zip(preparers, values, strict=True)]


def insert(model: type[models.Model], values: Mapping[str, Any]) -> Any:
    """INSERT one row of `model` (field names → Python values, defaults not applied) and
    return its primary key."""
    sql, fields = _insert_sql(model, tuple(values), connection.vendor)
    with connection.cursor() as cur:
        cur.execute(sql, _prep(fields, values.values()))
        if connection.features.can_return_columns_from_insert:
            return cur.fetchone()[0]
        return connection.ops.last_insert_id(cur, model._meta.db_table, _column(model._meta.pk))


@cache
def _update_sql(
    model: type[models.Model], names: tuple[str, ...], where: tuple[str, ...], vendor: str
) -> tuple[str, list[AnyField], list[AnyField]]:
    meta = model._meta
    fields = [_concrete(meta.get_field(n)) for n in names]
    conds = [_concrete(meta.get_field(n.removesuffix("__isnull"))) for n in where]
    sql = (
        f"UPDATE {_q(meta.db_table)} SET "  # noqa: S608 (names, not input)
        + ", ".join(f"{_q(_column(f))} = %s" for f in fields)
        + " WHERE "
        + " AND ".join(
            f"{_q(_column(c))} IS NULL" if n.endswith("__isnull") else f"{_q(_column(c))} = %s"
            for n, c in zip(where, conds, strict=True)
        )
    )
    return sql, fields, conds


def update(model: type[models.Model], where: Mapping[str, Any], values: Mapping[str, Any]) -> int:
    """UPDATE `model` SET values WHERE every `where` field equals its value (a value of
    None means IS NULL); returns the number of rows changed."""
    if not values:
        return 0
    names = tuple(n if v is not None else f"{n}__isnull" for n, v in where.items())
    sql, fields, conds = _update_sql(model, tuple(values), names, connection.vendor)
    params = _prep(fields, values.values())
    params += [
        c.get_db_prep_value(v, connection)
        for c, v in zip(conds, where.values(), strict=True)
        if v is not None
    ]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return int(cur.rowcount)


def _concrete(field: AnyField | models.ForeignObjectRel) -> AnyField:
    if not isinstance(field, models.Field):
        raise TypeError(f"{field.name} is a reverse relation, not a column")
    return field


def _column(field: AnyField | models.ForeignObjectRel) -> str:
    column = _concrete(field).column
    if column is None:
        raise TypeError(f"{field.name} has no column")
    return column


# --- names for `where` and `tail` -------------------------------------------------------
# Callers that filter on another table (a subquery) or order by a column take the names
# from the models' metadata here, never as literals: a renamed table or column, or a
# backend that quotes differently, cannot leave a stale name behind.

__all__ += ["column", "table"]


@cache
def _table_name(model: type[models.Model], vendor: str) -> str:
    return _q(model._meta.db_table)


@cache
def _column_name(model: type[models.Model], name: str, alias: str, vendor: str) -> str:
    column = _column(model._meta.pk if name == "pk" else model._meta.get_field(name))
    return f"{_q(alias)}.{_q(column)}" if alias else _q(column)


def table(model: type[models.Model]) -> str:
    """The quoted table name of `model`."""
    return _table_name(model, connection.vendor)


def column(model: type[models.Model], name: str, alias: str = "") -> str:
    """The quoted column of field `name` of `model` ("pk": the primary key), prefixed with
    the quoted table alias when one is given (t0 is the selected model, t1, t2, … the joins
    in order)."""
    return _column_name(model, name, alias, connection.vendor)
