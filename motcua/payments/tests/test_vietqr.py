"""VietQR payloads: the NAPAS specification's vector, the CRC, the limits the library leaves
to its caller, and the printed QR read back by a real decoder (zbarimg)."""

import shutil
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.core.errors import ValidationFailed
from motcua.payments import vietqr
from motcua.payments.vietqr import Beneficiary

# NAPAS, "Tài liệu quy định về định dạng mã VietQR", v1.0 09/2021, §6.1.3 (CRC recomputed).
SPEC_613 = (
    "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA5303704540618"
    "00005802VN62340107NPS68690819thanh toan don hang63042E2E"
)
AGENCY = Beneficiary("970403", "0011012345678", "TTPVHCC TINH BAC NINH")


def test_the_specification_vector_reads_back():
    t = vietqr.read(SPEC_613)
    assert (t.bin, t.account, t.amount_vnd) == ("970403", "0011012345678", 180_000)
    assert t.reference == "thanh toan don hang"


def test_crc_is_ccitt_false():
    from qr_pay import calculate_checksum

    assert calculate_checksum("123456789") == "29B1"  # the CRC-16/CCITT-FALSE check value


def test_a_payload_carries_the_amount_and_reference_and_its_crc():
    code = vietqr.payload(AGENCY, amount_vnd=50_000, reference="HS000001")
    assert code.startswith("000201010212")  # format 01, dynamic (single use)
    assert "0208QRIBFTTA" in code and "5303704" in code and "5802VN" in code
    assert "540550000" in code  # 54, length 05, 50000: whole đồng, no separators
    assert code[-8:-4] == "6304"
    assert vietqr.read(code) == vietqr.Transfer("970403", "0011012345678", 50_000, "HS000001")


def test_a_changed_character_fails_the_crc():
    code = vietqr.payload(AGENCY, amount_vnd=50_000, reference="HS000001")
    forged = code.replace("50000", "90000")
    with pytest.raises(ValidationFailed) as e:
        vietqr.read(forged)
    assert e.value.code == "invalid_vietqr"


@pytest.mark.parametrize(
    ("amount", "reference", "code"),
    [
        (0, "HS1", "invalid_amount"),
        (-5, "HS1", "invalid_amount"),
        (True, "HS1", "invalid_amount"),
        (500_000_000, "HS1", "amount_over_napas_limit"),
        (1000, "X" * 26, "invalid_transfer_reference"),
        (1000, "Hồ sơ 1", "invalid_transfer_reference"),  # the spec's character set is ASCII
        (1000, "", "invalid_transfer_reference"),
    ],
)
def test_what_the_library_would_let_through_is_refused(amount, reference, code):
    with pytest.raises(ValidationFailed) as e:
        vietqr.payload(AGENCY, amount_vnd=amount, reference=reference)
    assert e.value.code == code


@pytest.mark.parametrize(
    ("bin_", "account"), [("97040", "1"), ("970403", "0" * 20), ("9704A3", "1")]
)
def test_a_bad_beneficiary_is_refused(bin_, account):
    with pytest.raises(ValidationFailed):
        Beneficiary(bin_, account)


def test_reference_for_folds_a_dossier_code():
    assert vietqr.reference_for("000.00.12.H10-251204-0001") == "0000012H102512040001"
    assert vietqr.reference_for("Đơn hồ sơ số 7") == "DONHOSOSO7"
    assert len(vietqr.reference_for("A" * 40)) == 25


@given(
    amount=st.integers(min_value=1, max_value=vietqr.MAX_AMOUNT_VND - 1),
    reference=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ", min_size=1, max_size=25)
    .map(str.strip)
    .filter(bool),
)
def test_every_payload_reads_back(amount, reference):
    code = vietqr.payload(AGENCY, amount_vnd=amount, reference=reference)
    t = vietqr.read(code)
    assert (t.amount_vnd, t.reference, t.bin, t.account) == (
        amount,
        reference,
        AGENCY.bin,
        AGENCY.account,
    )


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools not installed")
def test_the_printed_qr_decodes_to_the_payload(tmp_path):
    code = vietqr.payload(AGENCY, amount_vnd=1_250_000, reference="0000012H102512040001")
    image = tmp_path / "qr.png"
    image.write_bytes(vietqr.png(code))
    out = subprocess.run(
        ["zbarimg", "--raw", "-q", str(image)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == code
    assert vietqr.read(out.stdout.strip()).amount_vnd == 1_250_000


def test_the_svg_has_no_script():
    svg = vietqr.svg(vietqr.payload(AGENCY, amount_vnd=1000, reference="A"))
    assert svg.startswith("<svg") and "<script" not in svg
