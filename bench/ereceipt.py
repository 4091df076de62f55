#!/usr/bin/env python
"""CPU cost of the signed XML e-receipt (motcua.documents.ereceipt), per receipt: building
and signing its XML with the collecting agency's key (XMLDSig, RSA-2048), and verifying
it; plus the one-time generation of an agency's development key. Measured with
time.process_time (the machine is shared: wall time would measure the neighbours). No
database: the receipt is an unsaved row. A figure to read, not a test.

    .venv/bin/python bench/ereceipt.py [--count 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=200)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="motcua-bench-ereceipt-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["MOTCUA_VAR_DIR"] = tmp
    os.environ["MOTCUA_ERECEIPT_KEY_DIR"] = f"{tmp}/keys"
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from motcua.documents import ereceipt
    from motcua.dossiers.models import Dossier
    from motcua.org.models import Agency
    from motcua.payments.models import Receipt
    from motcua.payments.words import amount_in_words

    agency = Agency(code="000.00.02.H24", name="Ủy ban nhân dân xã Tam Sơn")
    dossier = Dossier(code="000.00.01.H24-261206-0001")
    amount = 1_234_567_000
    receipt = Receipt(
        dossier=dossier,
        agency=agency,
        template="01BLP0-001",
        series="BL-26E",
        year=2026,
        number=1234,
        issued_at=dt.datetime(2026, 12, 6, 2, 0, tzinfo=dt.UTC),
        payer_name="Tôn Nữ Thị Phương Thảo",
        payer_id_number="001203000123",
        payer_address="Thôn Đông, xã Tam Sơn, tỉnh Bắc Ninh",
        fee_lines=[
            {"name": "Lệ phí cấp giấy chứng nhận", "kind": "le_phi", "amount_vnd": 1_234_000_000},
            {"name": "Phí thẩm định hồ sơ", "kind": "phi", "amount_vnd": 567_000},
        ],
        amount_vnd=amount,
        amount_words=amount_in_words(amount),
        channel="vietqr_transfer",
        provider_txn_no="FT26340123456789",
    )
    t0 = time.process_time()
    ereceipt.agency_key(agency)
    keygen = time.process_time() - t0
    sign, verify = [], []
    data = b""
    for _ in range(args.count):
        t0 = time.process_time()
        data = ereceipt.receipt_xml_sign(receipt)
        t1 = time.process_time()
        ereceipt.receipt_xml_verify(data, agency=agency)
        sign.append(t1 - t0)
        verify.append(time.process_time() - t1)

    def ms(xs: list[float]) -> str:
        return (
            f"p50 {statistics.median(xs) * 1000:.2f} ms, mean {statistics.mean(xs) * 1000:.2f} ms"
        )

    print(f"agency key (RSA-2048 + self-signed certificate), first use: {keygen * 1000:.1f} ms CPU")
    print(f"sign one receipt's XML ({len(data)} bytes), {args.count}×: {ms(sign)} CPU")
    print(f"verify it, {args.count}×: {ms(verify)} CPU")


if __name__ == "__main__":
    main()
