"""What a new dossier is filed under: the procedure in force on the day, offered on the
channel, routed to the agency competent for it (by authority, not by the place of receipt)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypeVar

from motcua.catalog.enums import AgencyRole, Channel
from motcua.catalog.limits import limit_for
from motcua.catalog.models import Component, Procedure, ProcedureAgency, ProcedureVersion
from motcua.core import rows
from motcua.core.errors import NotFound, ValidationFailed
from motcua.org.models import Agency

from .. import timing
from ._files import (
    _components,
)

CodedT = TypeVar("CodedT", Agency, Procedure)


@dataclass
class Offer:
    """What a new dossier is filed under: the procedure, its version in force, the
    receiving and the settling agency, and the version's components."""

    procedure: Procedure
    version: ProcedureVersion
    receiving: Agency
    settling: Agency
    components: list[Component]


def _offer(
    procedure: Procedure | str,
    receiving_agency: Agency,
    settling_agency: Agency | None,
    channel: int,
    at: dt.datetime,
    *,
    appointed: bool = True,
) -> Offer:
    """The procedure in force on the day, offered on the channel, routed. `appointed`: the
    dossier will get an appointment, so the version needs a time limit for the channel."""
    day = at.astimezone(timing.VN).date()
    proc = _get_procedure(procedure)
    version = _version_for(proc, day)
    if channel == Channel.ONLINE and Channel.ONLINE not in (version.channels or []):
        raise ValidationFailed(
            "channel_not_offered",
            f"Thủ tục {proc.code} không tiếp nhận hồ sơ trực tuyến.",
            f"Procedure {proc.code} is not offered online.",
            field="procedure",
        )
    if appointed:
        limit_for(version, channel, proc.code)  # no appointment can be given without it
    receiving, settling = _route(proc, receiving_agency, settling_agency, day)
    return Offer(proc, version, receiving, settling, _components(version))


def _route(
    procedure: Procedure, receiving: Agency, settling: Agency | None, day: dt.date
) -> tuple[Agency, Agency]:
    """Choose the settling agency: route by authority, not by the place of receipt (§1.1).
    An agency whose validity ended before the day receives nothing."""
    if receiving.valid_to is not None and day > receiving.valid_to:
        raise ValidationFailed(
            "agency_not_in_force",
            f"'{receiving.name}' đã hết hiệu lực từ sau ngày {receiving.valid_to:%d/%m/%Y}.",
            f"'{receiving.name}' ceased after {receiving.valid_to:%Y-%m-%d}.",
            field="receiving_agency",
        )
    if not receiving.receives_dossiers:
        raise ValidationFailed(
            "not_a_receiving_agency",
            f"'{receiving.name}' không phải bộ phận một cửa tiếp nhận hồ sơ.",
            f"'{receiving.name}' is not a one-stop department that receives dossiers.",
            field="receiving_agency",
        )
    pa, agency_id = ProcedureAgency, rows.column(Agency, "pk", "t0")
    candidates = rows.select(
        Agency,
        f"{agency_id} IN (SELECT {rows.column(pa, 'agency')} FROM {rows.table(pa)} "  # noqa: S608
        f"WHERE {rows.column(pa, 'procedure')} = %s AND {rows.column(pa, 'role')} = %s)",
        [procedure.pk, AgencyRole.SETTLING.value],
        tail=f"ORDER BY {agency_id}",
    )
    if settling is not None:
        if settling.pk not in {a.pk for a in candidates}:
            raise ValidationFailed(
                "agency_not_competent",
                f"'{settling.name}' không giải quyết thủ tục {procedure.code}.",
                f"'{settling.name}' does not settle procedure {procedure.code}.",
                field="settling_agency",
            )
        return receiving, settling
    if not candidates:
        raise ValidationFailed(
            "procedure_not_offered",
            f"Thủ tục {procedure.code} chưa được giao cho cơ quan giải quyết nào trong tỉnh.",
            f"Procedure {procedure.code} has no settling agency in this province.",
            field="procedure",
        )
    # Prefer the competent agency of the same unit (commune procedures), else the first.
    same_unit = [a for a in candidates if a.unit_id == receiving.unit_id]
    return receiving, (same_unit or candidates)[0]


def _version_for(procedure: Procedure, day: dt.date) -> ProcedureVersion:
    version = procedure.version_on(day)
    if version is None or not procedure.active:
        raise ValidationFailed(
            "procedure_not_in_force",
            f"Thủ tục {procedure.code} không có hiệu lực vào ngày {day:%d/%m/%Y}.",
            f"Procedure {procedure.code} is not in force on {day:%Y-%m-%d}.",
            field="procedure",
        )
    return version


def by_code(model: type[CodedT], code: str) -> CodedT | None:
    """The agency or procedure with this code (a submission's first reads, on the primary
    like the submission that follows): a precompiled statement (docs/adr/0003), a quarter
    of the ORM's cost."""
    if "\x00" in code:
        return None  # PostgreSQL text cannot hold NUL, so no row has it
    found = rows.select(model, f"{rows.column(model, 'code', 't0')} = %s", [code], tail="LIMIT 1")
    return found[0] if found else None


def _get_procedure(procedure: Procedure | str) -> Procedure:
    if isinstance(procedure, Procedure):
        return procedure
    try:
        return Procedure.objects.get(code=procedure)
    except Procedure.DoesNotExist:
        raise NotFound(
            f"thủ tục {procedure}", f"Procedure {procedure}", field="procedure"
        ) from None
