"""The demo starts clamd with the shipped test database beside the web server: an EICAR
upload is refused there, a clean one kept."""

import pytest

from motcua.demo import clamd, companions
from motcua.dossiers import scanner
from motcua.dossiers.attachments import check_file
from motcua.dossiers.tests.clamd import CLAMD_MISSING, eicar_pdf
from motcua.dossiers.tests.factories import PDF


def test_the_demo_companion_scans_with_the_test_signature(settings, monkeypatch):
    monkeypatch.delenv("MOTCUA_CLAMD", raising=False)  # start() sets it; undone after
    assert "motcua.demo.clamd.companion" in companions.FACTORIES
    settings.MOTCUA_CLAMD = ""
    if scanner.clamd_program() is None:
        pytest.skip(CLAMD_MISSING)
    companion = clamd.companion()
    assert companion is not None
    assert "EICAR" in companion.name  # the visitor is told what it knows
    proc = companions.start(companion)
    try:
        assert companion.settings["MOTCUA_CLAMD"] == settings.MOTCUA_CLAMD
        assert check_file(("a.pdf", PDF), field="f").scan is not None
        with pytest.raises(Exception, match="malware_found"):
            check_file(("b.pdf", eicar_pdf()), field="f")
    finally:
        companions._stop(proc)


def test_no_demo_clamd_when_a_scanner_is_configured(settings):
    settings.MOTCUA_CLAMD = "tcp://127.0.0.1:3310"
    assert clamd.companion() is None
