"""The template registry: each form is a renderer class registered under a key.

A dossier's procedure may pick another template for a kind (`ProcedureTemplate`), e.g. the
police residence receipt CT04; otherwise the kind's default template is used.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings

from motcua.org.names import person_name, place_name

from ..enums import form_of
from .pdf import FormPDF
from .text import place_date

TEMPLATES: dict[str, type[FormTemplate]] = {}
DEFAULTS: dict[str, str] = {}


def register(cls: type[FormTemplate]) -> type[FormTemplate]:
    if cls.key in TEMPLATES:
        raise ValueError(f"template {cls.key!r} registered twice")
    TEMPLATES[cls.key] = cls
    if cls.default:
        DEFAULTS[cls.kind] = cls.key
    return cls


def template_choices(kind: str | None = None) -> list[tuple[str, str]]:
    return [(k, c.label) for k, c in TEMPLATES.items() if kind is None or c.kind == kind]


def lookup_url(dossier) -> str:
    """The public status page with the code and the secret, as the receipt's QR holds it."""
    query = urlencode({"code": dossier.code, "secret": dossier.secret})
    return f"{settings.MOTCUA_PUBLIC_URL.rstrip('/')}/tra-cuu/?{query}"


def person(user) -> str:
    """A signer's name, Vietnamese order (motcua.org.names.person_name)."""
    return person_name(user)


def place_of(agency) -> str:
    """The place written before the date: the unit where the issuing agency sits (a
    commune's centre writes the commune's name, the province's the province's)."""
    return place_name(agency.unit)


def procedure_phrase(name: str) -> str:
    """ "thủ tục Đăng ký khai sinh", without doubling a name that already begins with
    "Thủ tục"."""
    if name[:8].lower() == "thủ tục ":
        return f"thủ tục {name[8:]}"
    return f"thủ tục {name}"


def sentence(text: str) -> str:
    """The text closed by one full stop (none added after . ! ? … or ./.)."""
    text = (text or "").rstrip()
    return text if not text or text[-1] in ".!?…" else f"{text}."


def agency_lines(agency) -> list[str]:
    lines = [agency.parent.name] if agency.parent_id else []
    return [*lines, agency.name]


class FormTemplate:
    """A form bound to one dossier (and the event it documents).

    Subclasses set `key`, `kind`, `label` and implement `draw(pdf)`; `texts()` lists the
    free text they print so the renderer can tell whether the Vietnamese font subset is
    enough. Field layouts are reconstructed from reference §2.1 (public provincial templates
    of the 2018 forms); the official text of the circulars was not seen: UNCONFIRMED.
    """

    key = ""
    kind = ""
    label = ""
    default = True
    page_format = "A5"
    orientation = "P"
    number_suffix = ""

    def __init__(self, dossier, event=None) -> None:
        self.dossier = dossier
        self.event = event
        self.number, self.form_title, self.circular = form_of(dossier.rule_set, self.kind)

    # What the form says about itself.
    def created(self) -> dt.datetime:
        return self.event.at

    def texts(self) -> list[str]:
        d = self.dossier
        return [
            d.applicant_name,
            d.applicant_address,
            d.request_summary,
            d.procedure_version.name,
            d.receiving_agency.name,
            d.settling_agency.name,
            d.applicant_email,
            self.event.reason if self.event else "",
            person(self.event.actor) if self.event else "",
        ]

    def issuing_agency(self):
        if self.event is not None and self.event.actor_agency_id:
            return self.event.actor_agency
        return self.dossier.receiving_agency

    def label_line(self) -> str:
        return f"Mẫu số {self.number} - {self.circular}" if self.number else ""

    def book_number(self) -> int | None:
        """The number the form took in its agency's book for the year (assigned by the
        service when the act happened, kept in the event)."""
        if self.event is None:
            return None
        number = self.event.data.get("number")
        return number if isinstance(number, int) else None

    def number_line(self) -> str:
        if not self.number_suffix:
            return "Số: ……"
        number = self.book_number()
        if number is not None:
            return f"Số: {number:04d}/{self.number_suffix}"
        # Events written before the books existed: the dossier code's daily sequence.
        code = self.dossier.code or ""
        seq = code.rsplit("-", 1)[-1] if code else "……"
        return f"Số: {seq}/{self.number_suffix}"

    def render(self) -> bytes:
        pdf = self.blank()
        self.draw(pdf)
        return bytes(pdf.output())

    def blank(self) -> FormPDF:
        """The empty page the form is drawn on."""
        return FormPDF(
            created=self.created(),
            title=f"{self.form_title} {self.dossier.code or ''}".strip(),
            texts=self.texts(),
            page_format=self.page_format,
            orientation=self.orientation,
        )

    def draw(self, pdf: FormPDF) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # Shared blocks.
    def heading(self, pdf: FormPDF, *, title: str | None = None) -> None:
        agency = self.issuing_agency()
        pdf.form_label(self.label_line())
        pdf.national_header(agency_lines(agency), self.number_line())
        pdf.place_date(place_date(place_of(agency), self.created()))
        pdf.heading_title(title or self.form_title)
