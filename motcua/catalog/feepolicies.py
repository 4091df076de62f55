"""The fee policies shipped with the catalog (`fixtures/fee_policies.json`): the legal
texts of integration-reference §1.1 and the records' own exemptions, each with the
reference's confidence label. Loaded by migration 0013 and by
`motcua catalog load-fee-policies`; a policy already present (same code) is left as the
province keeps it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

POLICIES_PATH = Path(__file__).resolve().parent / "fixtures" / "fee_policies.json"


def policy_rows() -> list[dict[str, Any]]:
    rows = json.loads(POLICIES_PATH.read_text("utf-8"))
    for row in rows:
        row["valid_from"] = dt.date.fromisoformat(row["valid_from"])
        row["valid_to"] = dt.date.fromisoformat(row["valid_to"]) if row.get("valid_to") else None
    return rows


def load_policies(model: Any) -> list[str]:
    """Create the shipped policies missing from `model` (FeePolicy, or its historical
    twin in a migration); return the codes created."""
    created = []
    for row in policy_rows():
        if model.objects.filter(code=row["code"]).exists():
            continue
        model.objects.create(**row)
        created.append(row["code"])
    return created
