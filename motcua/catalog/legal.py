"""The legal documents the procedures cite: number and title ("Số hiệu — Tên văn bản").

A record's `legal_basis` holds document numbers only (e.g. "85/2019/TT-BTC"). Their titles
come from `fixtures/legal_documents.json`, a table made from the records' own sources (see
`fixtures/SOURCES.md`, "legal_documents.json"): the title the national portal gives each
document in the record's "Căn cứ pháp lý" table, else the text that cites it there or in the
record's notes, else — for a few laws and circulars the portal names only by type and number —
the title as published. Documents with no title anywhere we read show their type and number.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "fixtures" / "legal_documents.json"

# The kind of a document from its number's suffix (longest first).
KINDS = (
    ("TTLT", "Thông tư liên tịch"),
    ("TT", "Thông tư"),
    ("NĐ", "Nghị định"),
    ("NQ", "Nghị quyết"),
    ("QĐ", "Quyết định"),
    ("QH", "Luật"),
)


@dataclass(frozen=True)
class LegalDocument:
    number: str
    title: str | None

    @property
    def kind(self) -> str | None:
        suffix = self.number.rsplit("/", 1)[-1]
        for prefix, kind in KINDS:
            if suffix.startswith(prefix):
                return kind
        return None

    @property
    def label(self) -> str:
        """ "85/2019/TT-BTC — Thông tư hướng dẫn …"; without a title, "Thông tư số …"."""
        if self.title:
            return f"{self.number} — {self.title}"
        return f"{self.kind} số {self.number}" if self.kind else self.number


@functools.cache
def legal_titles() -> dict[str, str | None]:
    return {row["number"]: row["title"] for row in json.loads(TABLE.read_text("utf-8"))}


def legal_documents(numbers: list[str] | None) -> list[LegalDocument]:
    """The documents of a `legal_basis` list, in its order, with their titles."""
    titles = legal_titles()
    return [LegalDocument(number=n, title=titles.get(n)) for n in numbers or []]
