"""The dossier code (mã hồ sơ): `{agency electronic id}-{yyMMdd}-{NNNN}`.

One rule, one place: the services, the CSV importer (motcua.reports.importer) and the demo
generator (motcua.demo.generator.history) all format, read and number codes here.

The agency is the receiving agency; the day is the local (Asia/Ho_Chi_Minh) day the dossier
was submitted — online or at the counter — and the number a daily sequence per receiving
agency (DailySequence). Reference §2.2: the structure is observed in production software;
the mandated one is UNCONFIRMED (docs/rules.md). Past 9,999 in a day the number simply
grows to five digits.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

from django.db import connection

if TYPE_CHECKING:
    from motcua.org.models import Agency

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CODE_RE = re.compile(r"^(?P<agency>.+)-(?P<day>\d{6})-(?P<n>\d{1,6})$")


class CodeParts(NamedTuple):
    agency_code: str
    day: dt.date
    number: int


def code_day(at: dt.datetime) -> dt.date:
    """The day a moment gives the code: its local date in Việt Nam."""
    return at.astimezone(VN).date()


def code_format(agency_code: str, day: dt.date, number: int) -> str:
    """The code of the `number`-th dossier of `day` at the agency with `agency_code`."""
    return f"{agency_code}-{day:%y%m%d}-{number:04d}"


def code_parse(code: str) -> CodeParts | None:
    """The parts of a code in this format, or None (a legacy code of another system)."""
    m = CODE_RE.match(code or "")
    if m is None:
        return None
    try:
        day = dt.datetime.strptime(m["day"], "%y%m%d").date()
    except ValueError:
        return None
    return CodeParts(m["agency"], day, int(m["n"]))


@cache
def _upsert(vendor: str) -> str:
    """The statement of code_next, with DailySequence's names from its metadata."""
    from .models import DailySequence

    q, meta = connection.ops.quote_name, DailySequence._meta
    t = q(meta.db_table)
    agency, day, last = (
        q(f"{meta.get_field(n).column}")  # type: ignore[union-attr]
        for n in ("agency", "day", "last")
    )
    return (
        f"INSERT INTO {t} ({agency}, {day}, {last}) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT ({agency}, {day}) DO UPDATE SET {last} = {t}.{last} + 1 RETURNING {last}"
    )


def code_next(agency: Agency, at: dt.datetime) -> str:
    """Take the next number of the agency's daily sequence and return the code.

    One INSERT … ON CONFLICT DO UPDATE … RETURNING statement: the database serialises
    concurrent submissions on the (agency, day) row, so two never get the same number. Runs
    inside the caller's transaction: a rolled-back submission gives its number back.
    """
    day = code_day(at)
    with connection.cursor() as cur:
        cur.execute(_upsert(connection.vendor), [agency.pk, day])
        number = int(cur.fetchone()[0])
    return code_format(agency.code, day, number)
