"""fpdf2 helpers shared by the forms (motcua.documents) and the reports' PDF exports."""

from __future__ import annotations

from fpdf import FPDF


def wrapped_lines(pdf: FPDF, w: float, h: float, text: str) -> list[str]:
    """The lines `text` takes in a multi_cell `w` wide at the current font (a dry run)."""
    lines = pdf.multi_cell(w, h, text, dry_run=True, output="LINES")
    if not isinstance(lines, list):  # output="LINES" answers a list; the stubs say less
        raise TypeError(f"multi_cell answered {type(lines).__name__}, not lines")
    return lines
