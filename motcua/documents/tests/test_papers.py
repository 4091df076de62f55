"""What the papers say (issue 8): the receipt lists what was handed in, with its counts;
names in Vietnamese order; the place name of the issuing unit; numbers in the agency's
book per year; no doubled words; signatures kept with their text. Checked on the text
poppler's pdftotext extracts, as a reader's copy-paste would."""

import datetime as dt
import shutil
import subprocess

import pytest

from motcua.catalog.models import Component
from motcua.documents import services
from motcua.documents.enums import DocumentKind
from motcua.documents.models import DossierDocument
from motcua.dossiers import services as ds
from motcua.dossiers.enums import Status
from motcua.dossiers.tests.factories import PDF, vn
from motcua.org.enums import AgencyKind
from motcua.org.models import AdministrativeUnit, Agency, StaffRole

from .conftest import T0, advance
from .helpers import flat

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils)"
)


def pdftotext(content: bytes, tmp_path, *, layout: bool = False) -> str:
    path = tmp_path / "form.pdf"
    path.write_bytes(content)
    args = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def form(dossier, kind) -> bytes:
    doc = DossierDocument.objects.get(dossier=dossier, kind=kind)
    with doc.file.open("rb") as fh:
        return fh.read()


@pytest.fixture
def hooks(django_capture_on_commit_callbacks):
    def run(fn, *args, **kw):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kw)

    return run


@pytest.fixture
def named(world):
    """Officers with Vietnamese names as accounts keep them: họ in last_name, tên đệm and
    tên in first_name."""
    for key, (last, first) in {
        "c:counter": ("Hoàng", "Tiến Hùng"),
        "s:specialist": ("Trần", "Thị Thu Trang"),
        "s:leader": ("Nguyễn", "Văn Trường"),
    }.items():
        user = world.a.staff[key]
        user.last_name, user.first_name = last, first
        user.save()
    return world


def intake(w, at=T0, **kw):
    kw.setdefault("applicant", {"name": "Trần Thị Ngọc Trâm"})
    return ds.dossier_intake(
        actor=w.a.staff["c:counter"],
        procedure=w.procedure,
        receiving_agency=w.a.center,
        at=at,
        **kw,
    )


# ---------------------------------------------------------------------------- item 1


def test_counter_receipt_lists_the_components_handed_in_with_their_counts(world, hooks, tmp_path):
    w = world
    extra = Component.objects.create(
        version=w.version, order=3, name="Sổ hộ khẩu", original_count=1, required=False
    )
    d = hooks(
        intake,
        w,
        received={
            w.components[0].pk: {"originals": 1, "copies": 0},
            extra.pk: {"originals": 0, "copies": 2},
        },
    )
    text = pdftotext(form(d, DocumentKind.RECEIPT), tmp_path, layout=True)
    table = text.split("1. Thành phần hồ sơ nộp gồm:")[1].split("2. Số lượng hồ sơ")[0]
    rows = [" ".join(line.split()) for line in table.splitlines() if line.strip()]
    assert rows[-2:] == ["1 Tờ khai đăng ký khai sinh 01", "2 Sổ hộ khẩu 02"]
    # The catalog's other component was not handed in: not on the receipt.
    assert "Giấy chứng sinh" not in text
    assert "Tệp điện tử" not in text


def test_online_receipt_counts_the_files_uploaded_per_component(world, hooks, tmp_path):
    w = world
    d = ds.dossier_submit(
        actor=w.citizen,
        procedure=w.procedure,
        receiving_agency=w.a.center,
        files={w.components[0].pk: [("a.pdf", PDF), ("b.pdf", PDF)]},
        at=T0,
    )
    d = hooks(ds.dossier_receive, dossier_id=d.pk, actor=w.a.staff["c:counter"], at=T0)
    text = pdftotext(form(d, DocumentKind.RECEIPT), tmp_path, layout=True)
    table = text.split("1. Thành phần hồ sơ nộp gồm:")[1].split("2. Số lượng hồ sơ")[0]
    rows = [" ".join(line.split()) for line in table.splitlines() if line.strip()]
    assert rows[-1] == "1 Tờ khai đăng ký khai sinh 02"
    assert "Tệp điện" in table and "Giấy chứng sinh" not in text


def test_a_supplement_does_not_change_the_receipt(world, hooks, tmp_path):
    w = world
    d = hooks(advance, w, Status.SUPPLEMENT_REQUESTED)
    hooks(
        ds.dossier_supplement,
        dossier_id=d.pk,
        actor=w.citizen,
        files={w.components[1].pk: [("gcs.pdf", PDF)]},
        at=T0 + dt.timedelta(hours=3),
    )
    stored = form(d, DocumentKind.RECEIPT)
    receipt = DossierDocument.objects.get(dossier=d, kind=DocumentKind.RECEIPT)
    assert services.document_verify(document=receipt)
    assert "Giấy chứng sinh" not in pdftotext(stored, tmp_path)


# ---------------------------------------------------------------------------- item 3


def test_officer_and_applicant_names_in_vietnamese_order(named, hooks, tmp_path):
    w = named
    d = hooks(advance, w, Status.SUPPLEMENT_REQUESTED, applicant={"name": "Trần Thị Ngọc Trâm"})
    receipt = flat(pdftotext(form(d, DocumentKind.RECEIPT), tmp_path))
    assert "Trần Thị Ngọc Trâm" in receipt
    assert "Hoàng Tiến Hùng" in receipt and "Tiến Hùng Hoàng" not in receipt
    request = flat(pdftotext(form(d, DocumentKind.SUPPLEMENT_REQUEST), tmp_path))
    assert "liên hệ Trần Thị Thu Trang" in request and "Thu Trang Trần" not in request
    sheet = services.document_get_or_render(dossier=d, kind=DocumentKind.CONTROL_SHEET)
    with sheet.file.open("rb") as fh:
        sheet_text = flat(pdftotext(fh.read(), tmp_path))
    assert "Người giao: Hoàng Tiến Hùng" in sheet_text


# ---------------------------------------------------------------------------- item 4


def test_place_name_is_the_issuing_units(world, hooks, tmp_path):
    w = world
    AdministrativeUnit.objects.filter(name="Xã A").update(name="Xã Yên Thế")
    province = AdministrativeUnit.objects.get(name="Bắc Ninh")
    province.name = "Tỉnh Bắc Ninh"
    province.save()
    center = Agency.objects.create(
        code="000.00.31.H24",
        name="Trung tâm Phục vụ hành chính công tỉnh",
        kind=AgencyKind.PROVINCIAL_CENTER,
        unit=province,
    )
    StaffRole.objects.create(user=w.a.staff["c:counter"], agency=center, role="counter")
    w.procedure.agencies.create(agency=center, role="receiving")
    commune = hooks(intake, w, received={w.components[0].pk: {"originals": 1}})
    provincial = hooks(
        ds.dossier_intake,
        actor=w.a.staff["c:counter"],
        procedure=w.procedure,
        receiving_agency=center,
        settling_agency=w.a.settling,
        applicant={"name": "Lê Văn Tám"},
        received={w.components[0].pk: {"originals": 1}},
        at=T0,
    )
    assert "Yên Thế, ngày 04 tháng 3 năm 2026" in flat(
        pdftotext(form(commune, DocumentKind.RECEIPT), tmp_path)
    )
    assert "Bắc Ninh, ngày 04 tháng 3 năm 2026" in flat(
        pdftotext(form(provincial, DocumentKind.RECEIPT), tmp_path)
    )


def test_no_doubled_words_or_full_stops(world, hooks, tmp_path):
    w = world
    w.version.name = "Thủ tục đăng ký khai sinh"
    w.version.save()
    d = hooks(advance, w, Status.WITHDRAWAL_REQUESTED)
    type(d).objects.filter(pk=d.pk).update(rule_set="2025")
    events = d.events.filter(action="request_withdrawal")
    events.update(reason="Gia đình đã giải quyết xong.")
    d = hooks(ds.dossier_stop, dossier_id=d.pk, actor=w.a.staff["c:counter"], reason="Rút", at=T0)
    text = flat(pdftotext(form(d, DocumentKind.STOP_NOTICE), tmp_path))
    assert "giải quyết thủ tục đăng ký khai sinh của Ông/Bà" in text
    assert "Số: 0001/TB" in text
    assert "thủ tục Thủ tục" not in text
    assert "với lý do: Gia đình đã giải quyết xong. " in text + " "
    assert ".." not in text.replace("./.", "")


def test_a_date_and_time_stay_on_one_line(world, hooks, tmp_path):
    w = world
    # A long agency name pushes "Thời gian …" values towards the end of their lines.
    for n in range(0, 40, 3):
        w.a.center.name = "Trung tâm Phục vụ hành chính công" + " xã A" * n
        w.a.center.save()
        d = hooks(intake, w, received={w.components[0].pk: {"originals": 1}})
        text = pdftotext(form(d, DocumentKind.RECEIPT), tmp_path)
        local = d.received_at.astimezone(vn(2026, 1, 1).tzinfo)
        assert f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}" in text.replace(
            "\u00a0", " "
        ), n


def test_the_leaders_signature_stays_with_the_closing_line(world, hooks, tmp_path):
    w = world
    d = advance(w, Status.PROCESSING)
    seen_break = False
    for n in range(0, 60, 2):
        reason = "Chờ kết quả xác minh của cơ quan khác về nơi cư trú của người yêu cầu. " * n
        ev = ds.dossier_apologize(
            dossier_id=d.pk,
            actor=w.a.staff["s:leader"],
            reason=reason[:3900] or "Chờ xác minh",
            new_due_at=vn(2026, 4, 20, 16, 30) + dt.timedelta(days=n),
            at=T0 + dt.timedelta(hours=2),
        ).events.order_by("-seq")[0]
        content = services.document_render(dossier=d, kind=DocumentKind.APOLOGY, event=ev)
        pages = pdftotext(content, tmp_path).split("\f")
        last = next(p for p in reversed(pages) if p.strip())
        assert "trân trọng thông báo./." in last, n
        assert "THỦ TRƯỞNG CƠ QUAN" in last and "Nơi nhận:" in last, n
        seen_break |= len([p for p in pages if p.strip()]) > 1
        # Another apology for the next length (the limit is a setting).
        type(d).objects.filter(pk=d.pk).update(apology_count=0)
    assert seen_break


# ---------------------------------------------------------------------------- item 5


def test_numbers_run_in_the_agencys_book_per_year(world, hooks, tmp_path):
    w = world
    first = hooks(intake, w, received={w.components[0].pk: {"originals": 1}})
    refused = hooks(intake, w, refuse_reason="Không thuộc thẩm quyền")
    second = hooks(intake, w, received={w.components[0].pk: {"originals": 1}})
    next_year = hooks(
        intake, w, at=vn(2027, 1, 5, 9, 0), received={w.components[0].pk: {"originals": 1}}
    )
    other = hooks(
        ds.dossier_intake,
        actor=w.b.staff["c:counter"],
        procedure=w.procedure,
        receiving_agency=w.b.center,
        applicant={"name": "Lê Văn Tám"},
        received={w.components[0].pk: {"originals": 1}},
        at=T0,
    )

    def number(d, kind):
        return flat(pdftotext(form(d, kind), tmp_path)).split("Số: ")[1].split()[0]

    assert number(first, DocumentKind.RECEIPT) == "0001/TNHS"
    assert number(second, DocumentKind.RECEIPT) == "0002/TNHS"
    assert number(refused, DocumentKind.REFUSAL) == "0001/TCHS"
    assert number(next_year, DocumentKind.RECEIPT) == "0001/TNHS"
    assert number(other, DocumentKind.RECEIPT) == "0001/TNHS"
    assert "Quyển số: 2027, Số thứ tự: 0001" in flat(
        pdftotext(form(next_year, DocumentKind.RECEIPT), tmp_path)
    )
    # Kept, never recomputed: the stored receipt renders the same bytes again.
    receipt = DossierDocument.objects.get(dossier=second, kind=DocumentKind.RECEIPT)
    assert services.document_verify(document=receipt)


def test_supplement_request_and_apology_take_their_own_books(world, hooks, tmp_path):
    w = world
    d = hooks(advance, w, Status.SUPPLEMENT_REQUESTED)
    text = flat(pdftotext(form(d, DocumentKind.SUPPLEMENT_REQUEST), tmp_path))
    assert "Số: 0001/HDHS" in text
    d = hooks(
        ds.dossier_supplement,
        dossier_id=d.pk,
        actor=w.citizen,
        files={w.components[1].pk: [("gcs.pdf", PDF)]},
        at=T0 + dt.timedelta(hours=1),
    )
    d = hooks(
        ds.dossier_apologize,
        dossier_id=d.pk,
        actor=w.a.staff["s:leader"],
        reason="Chờ xác minh",
        new_due_at=vn(2026, 4, 20, 16, 30),
        at=T0 + dt.timedelta(hours=2),
    )
    assert "Số: 0001/PXL" in flat(pdftotext(form(d, DocumentKind.APOLOGY), tmp_path))
