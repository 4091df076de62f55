#!/usr/bin/env python
"""What the amount due costs: catalog.fees.compute in process (pure, no database) on the
real catalog's fee items with the shipped policies, per quote, median of rounds. A figure
to read, not a test.

    PYTHONPATH=. .venv/bin/python bench/fees.py [--rounds 7] [--n 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    django.setup()
    from motcua.catalog import fees
    from motcua.catalog.enums import Channel
    from motcua.catalog.feepolicies import policy_rows
    from motcua.catalog.importer.feetext import complement_channels, derive

    records = json.loads((ROOT / "motcua/catalog/fixtures/procedures.json").read_text("utf-8"))
    versions = []
    for r in records:
        lines = complement_channels(
            [
                {"name": f["name"], **derive(f["name"], f["note"], f["amount_vnd"])}
                for f in r["fees"] or []
            ]
        )
        items = [
            fees.ItemSpec(
                id=i, name=f["name"], amount_vnd=raw["amount_vnd"], kind=f["kind"],
                computation=f["computation"], unit=f["unit"], answer_key=f["answer_key"],
                multiplier_key=f["multiplier_key"], bands=fees.bands_from_json(f["bands"]),
                maximum_vnd=f["maximum_vnd"], channels=tuple(f["channels"]),
            )
            for i, (f, raw) in enumerate(zip(lines, r["fees"] or [], strict=True))
        ]  # fmt: skip
        versions.append((r["code"], items))
    policies = [
        fees.PolicySpec(
            id=i, name=p["name"], legal_basis=p["legal_basis_text"], effect=p["effect"],
            percent=p["percent"], valid_from=p["valid_from"], valid_to=p["valid_to"],
            scope=p["scope"], procedures=frozenset(p["procedure_codes"]), fee_kind=p["fee_kind"],
            proof_kind=p.get("proof_kind", ""), proof_key=p.get("proof_key", ""),
        )
        for i, p in enumerate(policy_rows())
    ]  # fmt: skip
    answers = {"so_ban": 2, "so_trang": 7, "so_nguoi": 3}
    day = dt.date(2025, 3, 4)

    def one_pass() -> None:
        for code, items in versions:
            fees.compute(
                items, policies, procedure=code, answers=answers, channel=Channel.ONLINE,
                applicant_attributes={"ho_ngheo"}, on_date=day,
            )  # fmt: skip

    per_quote = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        for _ in range(args.n // len(versions) or 1):
            one_pass()
        elapsed = time.perf_counter() - start
        per_quote.append(elapsed / ((args.n // len(versions) or 1) * len(versions)) * 1e6)
    med = statistics.median(per_quote)
    print(f"catalog.fees.compute: {len(versions)} real versions, {len(policies)} policies")
    print(f"  median {med:.1f} µs per quote ({1e6 / med:,.0f} quotes/s, one core)")


if __name__ == "__main__":
    main()
