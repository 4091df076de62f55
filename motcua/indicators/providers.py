"""Indicators computed from other apps' tables: the provider registry (ADR 0022).

Some Decision 766 indicators count rows the indicators app does not own and must not import
(import-linter layers: indicators is below payments, feedback and integration): 1.4 and the
sync coefficient of 3.3 (the national sync log), 5.1–5.3 (citizens' feedback). The app that
owns the rows registers one function per indicator code in its AppConfig.ready():

    from motcua.indicators import providers

    @providers.register("5.1", note_unavailable="…")   # the Decision 766 code
    def feedback_on_time(start: dt.date, end: dt.date, scope: providers.Scope) -> providers.Count | None:
        ...

`start`/`end` are the period's local days (inclusive); `scope` is the scorecard's scope
(agencies / procedure / field: filter your rows by it). Return a `Count`, or `None` when the
data the rule needs cannot exist in this system — never a zero for "unknown". A provider that
raises shows "lỗi khi tính" (the exception is logged, the rest of the scorecard stands). The scorecard
then shows "không tính được trong hệ thống này: <note_unavailable>"; an indicator nobody
registered shows "chưa có dữ liệu". Either way the indicator is left out of the points and
its maximum is still shown.

`evaluate` is the one function every consumer (scorecard, dashboard, API, drill-down) calls.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet

NOT_REGISTERED_VI = "chưa có dữ liệu"
NOT_REGISTERED_EN = "no data yet"
NOT_COMPUTABLE_VI = "không tính được trong hệ thống này"
NOT_COMPUTABLE_EN = "cannot be computed in this system"
FAILED_VI = "lỗi khi tính"
FAILED_EN = "error while computing"

logger = logging.getLogger(__name__)

_CODE = re.compile(r"^[1-6]\.[0-9]{1,2}[a-z]?$")


@dataclass(frozen=True)
class Scope:
    """The scorecard's scope: the dossiers received or settled by one of `agency_ids` (None:
    the whole province), of one procedure, of one field. Built by
    `motcua.indicators.selectors.scope_resolve` (agency, unit — a unit includes all its
    sub-units' agencies — procedure, field)."""

    agency_ids: tuple[int, ...] | None = None  # received or settled by one of these
    procedure_id: int | None = None
    field_id: int | None = None
    label: dict[str, str] = field(default_factory=dict, compare=False)

    def q(self, field_prefix: str = "") -> Q:
        """Filter for rows with receiving_agency_id / settling_agency_id / procedure_id /
        field_id columns (DossierFact, Count); `field_prefix` maps `field_id`, e.g.
        "procedure__" for Dossier. Providers whose rows point at a dossier use
        `dossier_q("dossier__")`."""
        q = Q()
        if self.agency_ids is not None:
            q &= Q(receiving_agency_id__in=self.agency_ids) | Q(
                settling_agency_id__in=self.agency_ids
            )
        if self.procedure_id is not None:
            q &= Q(procedure_id=self.procedure_id)
        if self.field_id is not None:
            q &= Q(**{f"{field_prefix}field_id": self.field_id})
        return q

    def dossier_q(self, prefix: str = "") -> Q:
        """The same filter on Dossier rows reached through `prefix` ("" for Dossier itself,
        "dossier__" for a row with a foreign key to a dossier)."""
        q = Q()
        if self.agency_ids is not None:
            q &= Q(**{f"{prefix}receiving_agency_id__in": self.agency_ids}) | Q(
                **{f"{prefix}settling_agency_id__in": self.agency_ids}
            )
        if self.procedure_id is not None:
            q &= Q(**{f"{prefix}procedure_id": self.procedure_id})
        if self.field_id is not None:
            q &= Q(**{f"{prefix}procedure__field_id": self.field_id})
        return q


@dataclass(frozen=True)
class Count:
    """A provider's figure: numerator / denominator over the period and scope."""

    numerator: int
    denominator: int
    # The rows behind the figure (the drill-down page lists them): called only on demand.
    drill: Callable[[], QuerySet[Any]] | None = None
    note: str = ""  # Vietnamese; shown under the figure on the scorecard
    # The rows behind the denominator, when the provider can list them (optional).
    drill_denominator: Callable[[], QuerySet[Any]] | None = None

    def __post_init__(self) -> None:
        if self.numerator < 0 or self.denominator < 0 or self.numerator > self.denominator:
            raise ValueError(
                f"Count({self.numerator}, {self.denominator}): need 0 ≤ numerator ≤ denominator"
            )


Provider = Callable[[dt.date, dt.date, Scope], "Count | None"]


@dataclass(frozen=True)
class Registration:
    code: str
    fn: Provider
    note_unavailable: str  # Vietnamese: why the data cannot exist here (when fn returns None)


@dataclass(frozen=True)
class Outcome:
    """What the scorecard shows for a provider indicator: a `count`, or why not (`reason_vi`,
    `reason_en`: the full sentence shown instead of a figure)."""

    code: str
    count: Count | None
    reason_vi: str = ""
    reason_en: str = ""
    registered: bool = True
    failed: bool = False  # the provider raised; the error is in the log

    @property
    def computable(self) -> bool:
        return self.count is not None


_REGISTRY: dict[str, Registration] = {}


def _qualname(fn: Provider) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


def register(code: str, *, note_unavailable: str = "") -> Callable[[Provider], Provider]:
    """Register `fn` as the provider of indicator `code` (decorator). One provider per code:
    a second, different function for the same code is a configuration error; registering
    the same function again (AppConfig.ready() run twice) replaces it."""
    if not isinstance(code, str) or not _CODE.match(code):
        raise ImproperlyConfigured(
            f"Mã chỉ số không hợp lệ (invalid indicator code): {code!r}; e.g. '5.1', '3.5a'"
        )

    def decorator(fn: Provider) -> Provider:
        old = _REGISTRY.get(code)
        if old is not None and _qualname(old.fn) != _qualname(fn):
            raise ImproperlyConfigured(
                f"Chỉ số {code} đã có nguồn {_qualname(old.fn)} "
                f"(indicator {code} already has a provider): {_qualname(fn)}"
            )
        _REGISTRY[code] = Registration(code, fn, note_unavailable)
        return fn

    return decorator


def unregister(code: str) -> None:
    _REGISTRY.pop(code, None)


def registration(code: str) -> Registration | None:
    return _REGISTRY.get(code)


def registered_codes() -> list[str]:
    return sorted(_REGISTRY)


def evaluate(code: str, start: dt.date, end: dt.date, scope: Scope) -> Outcome:
    """The provider's figure for a period and scope, or the reason there is none."""
    reg = _REGISTRY.get(code)
    if reg is None:
        return Outcome(code, None, NOT_REGISTERED_VI, NOT_REGISTERED_EN, registered=False)
    try:
        count = reg.fn(start, end, scope)
    except Exception:
        # One broken provider must not take the whole scorecard down: its indicator shows
        # "lỗi khi tính" (left out of the points, like a non-computable one) and the error is
        # logged with its traceback for the operator.
        logger.exception(
            "indicator provider %s (%s) failed for %s..%s, scope %r",
            code,
            _qualname(reg.fn),
            start,
            end,
            scope,
        )
        return Outcome(
            code,
            None,
            f"{FAILED_VI} (đã ghi nhật ký lỗi)",
            f"{FAILED_EN} (the error was logged)",
            failed=True,
        )
    if count is None:
        note = reg.note_unavailable.strip()
        vi = f"{NOT_COMPUTABLE_VI}: {note}" if note else NOT_COMPUTABLE_VI
        en = f"{NOT_COMPUTABLE_EN}: {note}" if note else NOT_COMPUTABLE_EN
        return Outcome(code, None, vi, en)
    if not isinstance(count, Count):
        raise TypeError(f"provider of {code} returned {type(count).__name__}, not Count | None")
    return Outcome(code, count)


# ------------------------------------------------------------------ 3.5a's sync source

# 3.5a ("fees integrated") counts fee-bearing procedures with a dossier received in the period
# whose fee data reached the national portal. Only the app that owns the national sync log
# (motcua.integration) knows that; it registers one function returning the procedure ids
# (a values("procedure_id") queryset) of those dossiers in the period and scope, or None
# while the sync is not configured (then the MOTCUA_766_SYNCED setting applies).
FeeSync = Callable[[dt.date, dt.date, Scope], "QuerySet[Any] | None"]
_FEE_SYNC: list[FeeSync] = []


def register_fee_sync(fn: FeeSync) -> FeeSync:
    """Register the source of 3.5a's numerator (one; registering again replaces it)."""
    _FEE_SYNC[:] = [fn]
    return fn


def fee_sync(start: dt.date, end: dt.date, scope: Scope) -> QuerySet[Any] | None:
    """The registered fee-sync source's procedure ids, or None (no source / not configured)."""
    return _FEE_SYNC[0](start, end, scope) if _FEE_SYNC else None


@contextmanager
def override_fee_sync(fn: FeeSync | None) -> Iterator[None]:
    """Tests: `fn` is 3.5a's sync source inside the block (None: none)."""
    old = list(_FEE_SYNC)
    _FEE_SYNC[:] = [fn] if fn is not None else []
    try:
        yield
    finally:
        _FEE_SYNC[:] = old


@contextmanager
def override(code: str, fn: Provider | None, note_unavailable: str = "") -> Iterator[None]:
    """Tests: `fn` is the provider of `code` inside the block (None: no provider), then the
    previous registration comes back."""
    old = _REGISTRY.pop(code, None)
    if fn is not None:
        _REGISTRY[code] = Registration(code, fn, note_unavailable)
    try:
        yield
    finally:
        _REGISTRY.pop(code, None)
        if old is not None:
            _REGISTRY[code] = old
