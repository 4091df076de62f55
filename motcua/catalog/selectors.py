"""Reads of the catalog: browse, accent-insensitive search, detail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias, TypedDict

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When, Window
from django.db.models.functions import Length
from django.utils import timezone

from motcua.core.errors import NotFound
from motcua.core.text import fold, sorted_vi

from .models import Field, Procedure, ProcedureVersion, ProcessStep


class Listed(TypedDict):
    current_versions: list[ProcedureVersion]  # in effect on the day, newest first


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # A procedure as the lists show it: with its versions in effect prefetched.
    ListedProcedure: TypeAlias = WithAnnotations[Procedure, Listed]


@dataclass
class ProcedurePage:
    count: int
    items: Sequence[ListedProcedure]


def _in_effect(day: dt.date) -> Q:
    return Q(effective_from__lte=day) & (Q(effective_to__isnull=True) | Q(effective_to__gte=day))


# What a list shows of a version: the record's long texts and JSON stay in the database.
LIST_VERSION_FIELDS = (
    "id", "procedure_id", "number", "effective_from", "effective_to", "time_limit_text",
    "time_limits_stamp", "channels", "online_level",
)  # fmt: skip


def procedure_search(
    *,
    q: str | None = None,
    field: str | None = None,
    level: str | None = None,
    agency: int | str | None = None,
    limit: int = 20,
    offset: int = 0,
    on: dt.date | None = None,
) -> ProcedurePage:
    """Active procedures matching every word of `q`, accents and case ignored.

    Matching is a plain `contains` on `Procedure.search_key` (the folded name, code and
    field name), so it behaves the same on SQLite and PostgreSQL. Order: names starting
    with the query (a leading "Thủ tục" is ignored), then names containing the phrase,
    then the rest; ties by name length (the closest name first), then code. `field` is a field code, `level` a `Level` value,
    `agency` an `org.Agency` id or code linked through `ProcedureAgency`.

    Each item has `current_versions`: the version in effect on `on` (default today), [] if
    none, with its `time_limits` prefetched. Three queries: the page, carrying the total, its
    versions and their limits (none when the page is empty); a count only for a page past
    the end.
    """
    day = on or timezone.localdate()
    qs: QuerySet[Procedure] = Procedure.objects.filter(active=True).select_related("field")
    key = fold(q)
    for word in key.split():
        qs = qs.filter(search_key__contains=word)
    if field:
        qs = qs.filter(field__code=field)
    if level:
        qs = qs.filter(level=level)
    if agency not in (None, ""):
        by = (
            Q(agencies__agency_id=int(agency))
            if str(agency).isdigit()
            else Q(agencies__agency__code=agency)
        )
        qs = qs.filter(pk__in=Procedure.objects.filter(by).values("pk"))
    if key:
        qs = qs.annotate(
            rank=Case(
                When(search_key__startswith=key, then=Value(0)),
                When(search_key__startswith=f"thu tuc {key}", then=Value(0)),
                When(search_key__contains=key, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        ).order_by("rank", Length("name"), "code")
    else:
        qs = qs.order_by("code")
    items = list(
        # The total rides along on every row (COUNT(*) OVER (), computed before the LIMIT):
        # one scan and one round trip instead of a second query to count a full page.
        qs.annotate(total=Window(Count("*"))).prefetch_related(
            Prefetch(
                "versions",
                queryset=ProcedureVersion.objects.filter(_in_effect(day))
                .only(*LIST_VERSION_FIELDS)
                .prefetch_related("time_limits")
                .order_by("-effective_from", "-number"),
                to_attr="current_versions",
            )
        )[offset : offset + limit]
    )
    if items:
        count = items[0].total
    elif offset == 0:
        count = 0
    else:  # a page past the end has no row to carry the total
        count = qs.count()
    return ProcedurePage(count=count, items=items)


# What citizens may see of a record's provenance: where it comes from. The catalog's own
# curation notes and raw import values (`notes`, `level_raw`, …) stay with the back office.
PUBLIC_SOURCE_KEYS = ("url", "portal_url", "record_date")


def public_source(source: dict | None) -> dict:
    return {k: str(source[k]) for k in PUBLIC_SOURCE_KEYS if source and source.get(k) is not None}


def procedure_detail(code: str, *, on: dt.date | None = None) -> ProcedureVersion:
    """The version of procedure `code` in effect on `on` (default today) — or, when none is
    in effect (only future versions), the latest one — with its procedure, field,
    components, fees, time limits and process steps loaded (6 queries). NotFound
    otherwise."""
    day = on or timezone.localdate()
    qs = (
        ProcedureVersion.objects.filter(procedure__code=code)
        .select_related("procedure__field")
        .prefetch_related(
            "components",
            "fees",
            "time_limits",
            Prefetch("steps", queryset=ProcessStep.objects.order_by("order")),
        )
    )
    version = qs.filter(_in_effect(day)).order_by("-effective_from", "-number").first()
    if version is None:
        version = qs.order_by("-number").first()
    if version is None:
        raise NotFound(f"thủ tục {code}", f"Procedure {code}", field="code")
    return version


def receiving_agencies(procedure) -> list:
    """The one-stop departments in force today that receive this procedure's dossiers, by
    name: where an online submission may be sent (portal form, catalog API)."""
    from motcua.core.text import sorted_vi
    from motcua.org.models import Agency

    from .enums import AgencyRole
    from .models import ProcedureAgency

    ids = ProcedureAgency.objects.filter(procedure=procedure, role=AgencyRole.RECEIVING).values(
        "agency_id"
    )
    today = timezone.localdate()
    found = Agency.objects.filter(pk__in=ids, valid_from__lte=today).exclude(valid_to__lt=today)
    return [a for a in sorted_vi(found, key=lambda a: a.name) if a.receives_dossiers]


def field_list() -> list[Field]:
    """Every field with `procedure_count` (active procedures), by name in Vietnamese order."""
    return sorted_vi(
        Field.objects.annotate(
            procedure_count=Count("procedures", filter=Q(procedures__active=True))
        ),
        key=lambda f: f.name,
    )
