"""The linked procedures the project ships (fixtures/linked.json): the catalog records the
chains need that the national catalog does not give us (the health-insurance card for a
child under six, UNCONFIRMED), and the chains themselves (2.000986). Idempotent: the
records go through the catalog importer (unchanged content, no new version); a chain is
matched on its procedure and its members on their order."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.db import transaction

from motcua.catalog.importer import catalog_import
from motcua.catalog.models import LinkedMember, LinkedProcedure, Procedure

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "linked.json"


def _fixture(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def linked_procedures_load(*, effective_from: dt.date | None = None, path: Path = FIXTURE) -> int:
    """Import the member procedures the chains need and the catalog lacks."""
    records = _fixture(path)["procedures"]
    catalog_import(records=records, effective_from=effective_from)
    return len(records)


@transaction.atomic
def linked_chains_load(*, path: Path = FIXTURE) -> list[LinkedProcedure]:
    """Create or update the shipped chains; a chain whose procedures are missing is
    skipped (the catalog was loaded without them)."""
    out = []
    for chain in _fixture(path)["chains"]:
        codes = [chain["procedure"], *(m["procedure"] for m in chain["members"])]
        procedures = {p.code: p for p in Procedure.objects.filter(code__in=codes)}
        if len(procedures) != len(set(codes)):
            continue
        linked, _ = LinkedProcedure.objects.update_or_create(
            procedure=procedures[chain["procedure"]],
            defaults={"source": chain["source"], "confidence": chain["confidence"]},
        )
        for m in chain["members"]:
            LinkedMember.objects.update_or_create(
                linked=linked,
                order=m["order"],
                defaults={
                    "procedure": procedures[m["procedure"]],
                    "agency_kind": m["agency_kind"],
                    "start": m["start"],
                    "data_keys": m["data_keys"],
                    "takes_previous_result": m["takes_previous_result"],
                    "result_component": m["result_component"],
                },
            )
        linked.members.exclude(order__in=[m["order"] for m in chain["members"]]).delete()
        out.append(linked)
    return out
