import datetime as dt
from pathlib import Path

import pytest

from motcua.dossiers import services as s
from motcua.dossiers.tests.conftest import T0, world  # noqa: F401
from motcua.dossiers.tests.factories import PNG

__all__ = ["T0", "world", "SAMPLE", "BROKEN_PNG", "intake", "ocr_output"]

# A third of an A4 page of a birth certificate at 300 dpi, rendered with Pillow in
# DejaVu Serif (tests/data/README.md says how): the shipped scanned sample.
SAMPLE = Path(__file__).parent / "data" / "giay-khai-sinh.png"
# A PNG signature the upload check accepts, with nothing an image decoder can read.
BROKEN_PNG = PNG
WORDS = ["GIẤY KHAI SINH", "Nguyễn Thị Hương", "Bắc Ninh", "Quốc tịch: Việt Nam", "Hạnh phúc"]


def intake(w, at=T0):
    """A paper dossier handed in at side A's counter: received, not digitized."""
    return s.dossier_intake(
        actor=w.a.staff["c:counter"],
        procedure=w.procedure.code,
        receiving_agency=w.a.center,
        channel=1,
        applicant={"name": "Trần Thị Bưu", "id_number": "027190000001"},
        received={w.components[0].pk: {"originals": 1, "copies": 0}},
        at=at,
    )


def sample_upload():
    return ("giay-khai-sinh.png", SAMPLE.read_bytes())


@pytest.fixture(scope="session")
def ocr_output():
    """The engine's real output for the sample, made once for the tests of the services
    that take an OcrOutput (the engine's own test checks what is in it)."""
    from motcua.digitization.ocr import make_pdfa

    return make_pdfa([(SAMPLE.read_bytes(), "image/png")])


def later(at, minutes=5):
    return at + dt.timedelta(minutes=minutes)
