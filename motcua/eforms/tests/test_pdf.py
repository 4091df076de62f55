"""The declaration PDF carries the data (read back with pdftotext)."""

import shutil
import subprocess

import pytest

from motcua.eforms.declaration import declaration_pdf

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "tk.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.django_db
def test_declaration_pdf_carries_the_data(doc, tmp_path):
    import datetime as dt

    data = {
        "nguoi_yeu_cau": {
            "ho_ten": "Nguyễn Thị Mai",
            "so_dinh_danh": "024190000007",
            "ngay_sinh": "1990-09-05",
            "dan_toc": "02",
        },
        "le_phi": 1500000,
        "con": [{"ho_ten": "Nguyễn Văn An", "ngay_sinh": "2020-01-31"}],
        "nhan_ket_qua": "post",
        "cam_doan": True,
    }
    text = text_of(declaration_pdf(doc, data, place="Tân Yên", day=dt.date(2026, 12, 6)), tmp_path)
    flat = " ".join(text.split())
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "TỜ KHAI THỬ NGHIỆM",
        "Kính gửi: Ủy ban nhân dân xã thử nghiệm",
        "Họ, chữ đệm, tên người yêu cầu: Nguyễn Thị Mai",
        "Số định danh cá nhân: 024190000007",
        "Ngày, tháng, năm sinh: 05/09/1990",
        "Dân tộc: Tày",
        "Số tiền: 1.500.000 đồng",
        "Con chung: 1. Họ tên con: Nguyễn Văn An; Ngày sinh của con: 31/01/2020",
        "Hình thức nhận kết quả: Nhận qua dịch vụ bưu chính",
        "Tôi cam đoan nội dung khai trên đây là đúng sự thật",
        "Tân Yên, ngày 06 tháng 12 năm 2026",
    ]:
        assert expected in flat, (expected, flat)


@pytest.mark.django_db
@pytest.mark.parametrize("nop_thay", [False, True])
def test_a_line_of_a_hidden_section_is_left_out(doc, tmp_path, nop_thay):
    """uy_quyen is shown only when nop_thay: hidden, its line is not printed at all."""
    doc["declaration"]["lines"].insert(
        1, {"label": "Người ủy quyền", "path": "uy_quyen.nguoi_uy_quyen"}
    )
    data = {
        "nguoi_yeu_cau": {"ho_ten": "Nguyễn Thị Mai", "nop_thay": nop_thay},
        "uy_quyen": {"nguoi_uy_quyen": "Trần Văn Bình"},
    }
    flat = " ".join(text_of(declaration_pdf(doc, data), tmp_path).split())
    assert "Họ, chữ đệm, tên người yêu cầu: Nguyễn Thị Mai" in flat
    assert ("Người ủy quyền" in flat) is nop_thay
    assert ("Trần Văn Bình" in flat) is nop_thay
    # A shown field left empty keeps its line: the applicant was asked.
    assert "Số định danh cá nhân:" in flat
