"""Each committed transition stores its form; the PDFs say what they must, in Vietnamese."""

import datetime as dt
import hashlib
import re
import shutil
import subprocess

import pytest

from motcua.documents import services
from motcua.documents.enums import DocumentKind
from motcua.documents.models import DossierDocument
from motcua.dossiers import services as ds
from motcua.dossiers.enums import Status
from motcua.dossiers.tests.factories import vn

from .conftest import T0, advance
from .helpers import flat, pdf_text

NAME = "Nguyễn Văn citizen"


def stored(dossier, kind):
    doc = DossierDocument.objects.get(dossier=dossier, kind=kind)
    with doc.file.open("rb") as fh:
        return doc, fh.read()


@pytest.fixture
def run_hooks(django_capture_on_commit_callbacks):
    def run(fn, *args, **kw):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kw)

    return run


def test_receive_stores_the_receipt(world, run_hooks):
    d = run_hooks(advance, world, Status.RECEIVED)
    doc, content = stored(d, DocumentKind.RECEIPT)
    assert content.startswith(b"%PDF-")
    assert doc.event.action == "receive"
    assert doc.template == "mau-01"
    assert doc.size == len(content)
    assert doc.sha256 == hashlib.sha256(content).hexdigest()
    text = flat(pdf_text(content))
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Mẫu số 01 - Thông tư số 03/2025/TT-VPCP" in text
    assert f"Mã hồ sơ: {d.code}" in text
    assert NAME in text
    # A commune centre writes its commune's name (Nghị định 30/2020/NĐ-CP).
    assert "A, ngày 04 tháng 3 năm 2026" in text
    # What was handed in (one file of the declaration), not the optional birth certificate.
    assert "1 Tờ khai đăng ký khai sinh 01" in text and "Giấy chứng sinh" not in text
    assert "3 ngày làm việc" in text
    due = d.due_at.astimezone(vn(2026, 1, 1).tzinfo)
    assert f"{due:%H} giờ {due:%M} phút, ngày {due:%d/%m/%Y}" in text
    assert "09 giờ 10 phút, ngày 04/03/2026" in text  # received at T0 + 10 min
    assert f"Mã tra cứu: {d.secret}" in text
    assert "Số: 0001/TNHS" in text
    assert "Quyển số: 2026, Số thứ tự: 0001" in text


def test_receipt_prints_the_limit_of_the_dossiers_own_channel(world, run_hooks):
    """Online 1 working day, counter 27, post same day: each receipt prints its own."""
    from motcua.catalog.models import ProcedureTimeLimit

    w = world
    ProcedureTimeLimit.objects.filter(version=w.version).delete()
    ProcedureTimeLimit.objects.create(version=w.version, channel=1, value=27, unit="working_days")
    ProcedureTimeLimit.objects.create(version=w.version, channel=2, value=1, unit="working_days")
    ProcedureTimeLimit.objects.create(
        version=w.version, channel=3, unit="same_day", cutoff=dt.time(15)
    )
    w.version.time_limits_stamp += 1
    w.version.save(update_fields=["time_limits_stamp"])
    field = "3. Thời gian giải quyết hồ sơ theo quy định"
    online = run_hooks(advance, w, Status.RECEIVED)
    assert f"{field}: 1 ngày làm việc" in flat(pdf_text(stored(online, DocumentKind.RECEIPT)[1]))
    for channel, printed in (
        (1, "27 ngày làm việc"),
        (3, "Trong ngày (sau 15 giờ: ngày làm việc tiếp theo)"),
    ):
        d = run_hooks(
            ds.dossier_intake,
            actor=w.a.staff["c:counter"],
            procedure=w.procedure,
            receiving_agency=w.a.center,
            channel=channel,
            applicant={"name": "Trần Thị B"},
            received={w.components[0].pk: {"originals": 1}},
            at=T0,
        )
        docs = DossierDocument.objects.filter(dossier=d, kind=DocumentKind.RECEIPT)
        assert docs.exists()
        for doc in docs:
            with doc.file.open("rb") as fh:
                assert f"{field}: {printed}" in flat(pdf_text(fh.read())), channel


def test_receipt_of_a_2018_dossier_cites_circular_01_2018(world, run_hooks):
    d = advance(world, Status.SUBMITTED)
    d = run_hooks(ds.dossier_receive, dossier_id=d.pk, actor=world.a.staff["c:counter"], at=T0)
    assert d.rule_set == "2025"  # the rule set follows the day of receipt (deadlines)
    # A dossier received under Decree 61/2018 (here: its rule set rewritten) gets 01/2018.
    type(d).objects.filter(pk=d.pk).update(rule_set="2018")
    d.refresh_from_db()
    content = services.document_render(
        dossier=d, kind=DocumentKind.RECEIPT, event=d.events.get(action="receive")
    )
    assert "Mẫu số 01 - Thông tư số 01/2018/TT-VPCP" in flat(pdf_text(content))


def test_refusal(world, run_hooks):
    d = run_hooks(advance, world, Status.REFUSED)
    doc, content = stored(d, DocumentKind.REFUSAL)
    text = flat(pdf_text(content))
    assert doc.event.action == "refuse"
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "Mẫu số 03" in text
    assert NAME in text
    assert "Sai thẩm quyền" in text
    assert not DossierDocument.objects.filter(dossier=d).exclude(kind="refusal").exists()


def test_supplement_request_lists_the_missing_components(world, run_hooks):
    d = run_hooks(advance, world, Status.SUPPLEMENT_REQUESTED)
    doc, content = stored(d, DocumentKind.SUPPLEMENT_REQUEST)
    text = flat(pdf_text(content))
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert d.code in text and NAME in text
    assert "Lý do: Thiếu giấy chứng sinh" in text
    table = text.split("nội dung sau:")[1].split("Lý do")[0]
    assert "Giấy chứng sinh" in table
    assert "Tờ khai đăng ký khai sinh" not in table
    # Receipt (from the receive) and the request: one each.
    kinds = sorted(DossierDocument.objects.filter(dossier=d).values_list("kind", flat=True))
    assert kinds == ["receipt", "supplement_request"]


@pytest.mark.parametrize(
    ("rule_set", "title", "promise"),
    [
        ("2025", "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", "gia hạn"),
        ("2018", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "hẹn lại thời gian trả kết quả"),
    ],
)
def test_apology_with_the_new_date(world, run_hooks, rule_set, title, promise):
    d = advance(world, Status.PROCESSING)
    type(d).objects.filter(pk=d.pk).update(rule_set=rule_set)
    new_due = vn(2026, 3, 20, 16, 30)
    d = run_hooks(
        ds.dossier_apologize,
        dossier_id=d.pk,
        actor=world.a.staff["s:leader"],
        reason="Chờ xác minh của cơ quan khác",
        new_due_at=new_due,
        at=T0 + dt.timedelta(hours=2),
    )
    doc, content = stored(d, DocumentKind.APOLOGY)
    text = flat(pdf_text(content))
    assert title in text
    assert promise in text
    assert "Mẫu số 04" in text
    assert "Lý do: Chờ xác minh của cơ quan khác" in text
    assert "16 giờ 30 phút, ngày 20/03/2026" in text
    old = dt.datetime.fromisoformat(doc.event.data["old_due_at"]).astimezone(new_due.tzinfo)
    assert f"ngày {old:%d/%m/%Y}" in text
    assert NAME in text and d.code in text


def test_stop_notice(world, run_hooks):
    d = run_hooks(advance, world, Status.STOPPED)
    doc, content = stored(d, DocumentKind.STOP_NOTICE)
    text = flat(pdf_text(content))
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    assert "Mẫu số 05 - Thông tư số 03/2025/TT-VPCP" in text
    assert "Lý do: Công dân rút" in text
    assert "yêu cầu rút hồ sơ với lý do: Không cần nữa" in text
    assert d.code in text and NAME in text


def test_control_sheet_on_request(world, run_hooks):
    d = run_hooks(advance, world, Status.PROCESSED)
    doc = services.document_get_or_render(dossier=d, kind=DocumentKind.CONTROL_SHEET)
    with doc.file.open("rb") as fh:
        text = flat(pdf_text(fh.read()))
    assert doc.event is None
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "Mẫu số 06" in text
    assert d.code in text and NAME in text
    for step in ("Tiếp nhận", "Thẩm định", "Phê duyệt", "Trả kết quả"):
        assert f"({step})" in text
    assert "Trước hạn" in text or "Đúng hạn" in text


def test_no_form_for_transitions_without_one(world, run_hooks):
    d = run_hooks(advance, world, Status.SUBMITTED)
    assert not DossierDocument.objects.filter(dossier=d).exists()


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils)")
def test_long_names_wrap_inside_the_page(world, run_hooks, tmp_path):
    long = (
        "Bản sao giấy tờ chứng minh nơi cư trú hợp pháp của người đề nghị đăng ký, "
        "gồm một trong các loại giấy tờ sau đây: giấy chứng nhận quyền sử dụng đất, quyền sở "
        "hữu nhà ở và tài sản khác gắn liền với đất; hợp đồng thuê, mượn, ở nhờ nhà ở"
    )
    world.components[0].name = long
    world.components[0].save()
    d = advance(world, Status.SUBMITTED)
    type(d).objects.filter(pk=d.pk).update(
        applicant_address="Thôn Đông Xuyên, xã Yên Phong, tỉnh Bắc Ninh " * 3,
        request_summary="Đăng ký khai sinh cho con thứ hai, kết hợp nhận cha mẹ con " * 2,
    )
    d = run_hooks(ds.dossier_receive, dossier_id=d.pk, actor=world.a.staff["c:counter"], at=T0)
    _, content = stored(d, DocumentKind.RECEIPT)
    assert long in flat(pdf_text(content))
    path = tmp_path / "r.pdf"
    path.write_bytes(content)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    (page_w,) = {float(w) for w in re.findall(r'<page width="([\d.]+)"', html)}
    right = [float(x) for x in re.findall(r'xMax="([\d.]+)"', html)]
    left = [float(x) for x in re.findall(r'xMin="([\d.]+)"', html)]
    assert len(right) > 100
    margin = 10 / 25.4 * 72  # the 10 mm right margin, in points
    assert max(right) <= page_w - margin + 0.5
    assert min(left) >= 0


def test_characters_outside_the_vietnamese_subset_use_the_full_font(world, run_hooks):
    d = advance(world, Status.SUBMITTED)
    name = "Ŋguyễn Thị Ǆa Ωmega"  # letters the bundled subsets lack
    type(d).objects.filter(pk=d.pk).update(applicant_name=name)
    d = run_hooks(ds.dossier_receive, dossier_id=d.pk, actor=world.a.staff["c:counter"], at=T0)
    _, content = stored(d, DocumentKind.RECEIPT)
    assert name in flat(pdf_text(content))
