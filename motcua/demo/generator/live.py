"""The demo citizen's open dossiers, made through the real services (the live path).

Unlike the synthesized history, these go through `dossier_submit`, `dossier_receive`,
`dossier_forward`, `dossier_request_supplement` and `dossier_request_payment` with small
generated PDF files, so that the demo exercises row locks, access checks, codes from the
daily sequence and the stored attachments exactly as a real citizen's dossier would.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from motcua.catalog import cases, fees
from motcua.catalog.models import Procedure
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier

from .province import DEMO_CITIZEN, Province

# (procedure code, how far the dossier goes); all are commune-level and offered online.
PLAN = (
    ("1.001193", "submitted"),  # đăng ký khai sinh: waits for the counter
    ("1.004873", "processing"),  # xác nhận tình trạng hôn nhân: with the specialist
    ("1.000894", "supplement"),  # đăng ký kết hôn: the specialist asks for a document
    ("2.000635", "payment"),  # bản sao trích lục hộ tịch: 8.000 đ to pay
)


def pdf(title: str) -> bytes:
    """A tiny, valid-looking PDF (the type sniffer only needs the header)."""
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Title ("
        + title.encode("ascii", "ignore")
        + b") >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def live_dossiers_create(p: Province) -> list[Dossier]:
    citizen = get_user_model().objects.get(username=DEMO_CITIZEN)
    commune = p.communes[0]
    counter = p.staff[(commune.center.pk, "counter")]
    made = []
    for code, goal in PLAN:
        procedure = Procedure.objects.filter(code=code).first()
        if procedure is None:
            continue
        version = procedure.version_on()
        if version is None:
            continue
        components = list(version.components.order_by("order"))
        if not components:
            continue
        # Every component the procedure requires (no case declared), else the first one.
        needed = [c for c in components if cases.needed(c)] or components[:1]
        component = needed[0]
        # The agency the procedure's record names (for these, the commune committee).
        settling = p.settling(p.procedure_route(version.settling_agency_text), commune)
        specialist = p.staff[(settling.pk, "specialist")]
        d = s.dossier_submit(
            actor=citizen,
            procedure=procedure,
            receiving_agency=commune.center,
            settling_agency=settling,
            files={c.pk: [(f"giay-to-{c.order}.pdf", pdf(f"{code} {c.order}"))] for c in needed},
            # One of each unit the fee items count (one copy, one page…).
            fee_answers={key: 1 for key, _label in fees.answer_keys(version)},
        )
        if goal != "submitted":
            d = s.dossier_receive(dossier_id=d.pk, actor=counter)
        if goal in ("processing", "supplement"):
            d = s.dossier_forward(dossier_id=d.pk, actor=counter)
        if goal == "supplement":
            d = s.dossier_request_supplement(
                dossier_id=d.pk,
                actor=specialist,
                reason="Cần bổ sung bản sao giấy tờ tùy thân của hai bên nam, nữ.",
                missing_components=[component.pk],
            )
        if goal == "payment":
            d = s.dossier_request_payment(dossier_id=d.pk, actor=counter)
        made.append(d)
    return made
