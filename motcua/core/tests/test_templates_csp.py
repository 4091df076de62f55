"""No template of the project needs what the Content-Security-Policy forbids: an inline
script without the page's nonce, an event-handler attribute, a javascript: URL, or an
inline style (style-src 'self')."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


def templates() -> list[Path]:
    found = sorted((ROOT / "motcua").glob("templates/**/*.html"))
    found += sorted((ROOT / "motcua").glob("*/templates/**/*.html"))
    return found


def offences(text: str) -> list[str]:
    out = []
    for attrs in SCRIPT.findall(text):
        if "src=" not in attrs and "csp_nonce" not in attrs and "application/json" not in attrs:
            out.append(f"<script{attrs}>")
    out += [m.group(0) for m in HANDLER.finditer(text)]
    out += [m.group(0) for m in STYLE.finditer(text)]
    if "javascript:" in text.lower():
        out.append("javascript:")
    return out


def test_the_scan_finds_what_it_looks_for():
    assert offences("<script>alert(1)</script>") == ["<script>"]
    assert offences('<script nonce="{{ request.csp_nonce }}">x</script>') == []
    assert offences('<script src="/static/a.js"></script>') == []
    assert offences('<button onclick="go()">') == ["<button onclick="]
    assert offences('<p style="color:red">') == [" style="]
    assert offences("<style>p{}</style>") == ["<style"]
    assert offences('<a href="javascript:void(0)">') == ["javascript:"]


def test_no_template_has_inline_script_handlers_or_style():
    found = templates()
    assert len(found) > 25
    bad = {str(p.relative_to(ROOT)): o for p in found if (o := offences(p.read_text()))}
    assert bad == {}


def test_no_python_built_html_has_inline_style():
    # format_html in the admin and the charts: the same rule for HTML built in Python.
    sources = [p for p in (ROOT / "motcua").rglob("*.py") if "tests" not in p.parts]
    bad = [
        str(p.relative_to(ROOT))
        for p in sources
        if re.search(r"""<\w+[^>]*\sstyle=""", p.read_text())
    ]
    assert bad == []
