"""The amount due for a dossier: the one function that computes it (`quote`).

Every caller uses it — the portal's review page, the submission and intake services (which
keep the result on the dossier: `Dossier.fee_assessment`, total in `fee_due_vnd`), the
receipt (Mẫu 01), the request for payment (its default amount), the API and the demo
generator. A dossier's assessment is computed once, at submission; later changes of fee
items or policies do not touch it.

`compute` is pure: plain data in (`ItemSpec`, `PolicySpec`), a `FeeQuote` out, integers
only (đồng), no database, no clock. `quote` reads a version's items and the policies in
force on a day, then calls it.

Rules (docs/fees.md):
- an item's base: fixed / per unit / tiered / band (see `FeeItem`), then its bounds, then
  the multiplier; an item whose record gives no figure is "unknown" (None) — the officer
  sets it at the request for payment; it counts 0 in the total and is flagged;
- items priced for other channels than the dossier's are left out;
- policies in force (valid_from ≤ day ≤ valid_to) apply one after another, in order
  (online reductions first, then subjects; within each by valid_from then id), each on the
  amount left by the previous; a reduction of p % leaves amount × (100 − p) / 100 rounded
  by the policy's rule (default: half up to whole đồng — the references give no rule,
  UNCONFIRMED); 100 % (exemption) leaves 0, even of an unknown amount;
- an online reduction applies only to a dossier submitted online and only to items priced
  for every channel; a subject's exemption only when proven (a component handed in whose
  folded name holds the policy's key, or a verified attribute of the applicant).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from motcua.core.errors import ValidationFailed
from motcua.core.text import fold

from .enums import (
    Channel,
    FeeComputation,
    FeeKind,
    PolicyEffect,
    PolicyScope,
    ProofKind,
    Rounding,
)

# ----------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class Band:
    lower: int  # inclusive
    upper: int | None  # exclusive; None = no upper bound
    amount_vnd: int

    def holds(self, value: int) -> bool:
        return self.lower <= value and (self.upper is None or value < self.upper)


@dataclass(frozen=True)
class ItemSpec:
    """A fee item as `compute` reads it (from `FeeItem` by `item_spec`)."""

    id: int | None
    name: str
    kind: str = ""
    computation: str = FeeComputation.FIXED
    amount_vnd: int | None = None
    unit: str = ""
    answer_key: str = ""
    multiplier_key: str = ""
    bands: tuple[Band, ...] = ()
    minimum_vnd: int | None = None
    maximum_vnd: int | None = None
    channels: tuple[int, ...] = ()
    legal_basis: str = ""


@dataclass(frozen=True)
class PolicySpec:
    """A fee policy as `compute` reads it (from `FeePolicy` by `policy_spec`)."""

    id: int | None
    name: str
    legal_basis: str
    effect: str
    percent: int
    valid_from: dt.date
    valid_to: dt.date | None = None
    scope: str = PolicyScope.ALL
    procedures: frozenset[str] = frozenset()
    fee_kind: str = ""
    rounding: str = Rounding.HALF_UP
    subject: str = ""
    proof_kind: str = ""
    proof_key: str = ""
    confidence: str = ""

    def in_force(self, day: dt.date) -> bool:
        """valid_from ≤ day ≤ valid_to, both ends inclusive."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def covers_procedure(self, procedure: str) -> bool:
        return self.scope != PolicyScope.PROCEDURES or procedure in self.procedures

    def covers(self, procedure: str, item: ItemSpec) -> bool:
        """In scope: every procedure, or those listed; a `fee_kind` (required with scope
        fee_kind, optional otherwise) narrows it to the items of that kind."""
        if self.scope == PolicyScope.PROCEDURES and procedure not in self.procedures:
            return False
        return not self.fee_kind or item.kind == self.fee_kind


@dataclass(frozen=True)
class Applied:
    """One policy applied to one line: the amount before, the reduction, the amount after."""

    policy_id: int | None
    name: str
    legal_basis: str
    effect: str
    percent: int
    before_vnd: int | None
    reduction_vnd: int | None
    after_vnd: int
    confidence: str = ""


@dataclass(frozen=True)
class FeeLine:
    item_id: int | None
    name: str
    kind: str
    computation: str
    explanation: str  # how the base was computed, in Vietnamese ("3 bản × 2.000 đồng")
    base_vnd: int | None  # None: the record gives no figure
    applied: tuple[Applied, ...]
    final_vnd: int | None
    legal_basis: str = ""

    @property
    def unknown(self) -> bool:
        return self.final_vnd is None


@dataclass(frozen=True)
class FeeQuote:
    procedure: str
    channel: int
    on_date: dt.date
    lines: tuple[FeeLine, ...]
    answers: Mapping[str, int] = field(default_factory=dict)

    @property
    def total_vnd(self) -> int:
        """The sum of the known lines (unknown ones are flagged, not guessed)."""
        return sum(line.final_vnd or 0 for line in self.lines)

    @property
    def has_unknown(self) -> bool:
        return any(line.unknown for line in self.lines)

    @property
    def policies(self) -> list[Applied]:
        return [a for line in self.lines for a in line.applied]

    def as_json(self) -> dict[str, Any]:
        """What the dossier keeps (`Dossier.fee_assessment`): the lines and policies applied,
        the total, the inputs; `from_json` reads it back."""
        return {
            "procedure": self.procedure,
            "channel": self.channel,
            "on_date": self.on_date.isoformat(),
            "answers": dict(sorted(self.answers.items())),
            "total_vnd": self.total_vnd,
            "has_unknown": self.has_unknown,
            "lines": [
                {
                    **{k: v for k, v in asdict(line).items() if k != "applied"},
                    "unknown": line.unknown,
                    "applied": [asdict(a) for a in line.applied],
                }
                for line in self.lines
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FeeQuote:
        return cls(
            procedure=data["procedure"],
            channel=int(data["channel"]),
            on_date=dt.date.fromisoformat(data["on_date"]),
            answers=dict(data.get("answers", {})),
            lines=tuple(
                FeeLine(
                    **{k: v for k, v in line.items() if k not in ("applied", "unknown")},
                    applied=tuple(Applied(**a) for a in line["applied"]),
                )
                for line in data["lines"]
            ),
        )


# ----------------------------------------------------------------------------- errors


def _answer_error(key: str, vi: str, en: str) -> ValidationFailed:
    return ValidationFailed("invalid_fee_answer", vi, en, field=f"fee_answers.{key}")


def check_bands(bands: Sequence[Band]) -> None:
    """Bands cover [0, ∞) or [0, last upper) without gap or overlap: the first starts at 0,
    each starts where the one before ends, each is non-empty, only the last may be open.
    Raises ValidationFailed naming the first bad band."""

    def bad(i: int, vi: str, en: str) -> ValidationFailed:
        return ValidationFailed("invalid_fee_bands", vi, en, field=f"bands[{i}]")

    if not bands:
        raise bad(0, "Cần ít nhất một bậc/khung.", "At least one band is needed.")
    expected = 0
    for i, b in enumerate(bands):
        if b.amount_vnd < 0:
            raise bad(i, "Số tiền của khung phải ≥ 0.", "A band's amount must be ≥ 0.")
        if b.lower != expected:
            raise bad(
                i,
                f"Khung {i + 1} phải bắt đầu từ {expected} (không hở, không chồng lấn).",
                f"Band {i + 1} must start at {expected} (no gap, no overlap).",
            )
        if b.upper is None:
            if i != len(bands) - 1:
                raise bad(
                    i, "Chỉ khung cuối được để trống cận trên.", "Only the last band may be open."
                )
        elif b.upper <= b.lower:
            raise bad(
                i, "Cận trên phải lớn hơn cận dưới.", "A band's upper bound must exceed its lower."
            )
        else:
            expected = b.upper


def bands_from_json(raw: Any) -> tuple[Band, ...]:
    """[{"from", "to", "amount_vnd"}] → bands; bad shapes raise ValidationFailed."""
    if not isinstance(raw, list):
        raise ValidationFailed(
            "invalid_fee_bands",
            "Bảng khung phải là danh sách.",
            "bands must be a list.",
            field="bands",
        )
    out = []
    for i, b in enumerate(raw):
        ok = isinstance(b, dict) and all(
            isinstance(b.get(k), int) and not isinstance(b.get(k), bool)
            for k in ("from", "amount_vnd")
        )
        upper = b.get("to") if isinstance(b, dict) else None
        if not ok or not (
            upper is None or (isinstance(upper, int) and not isinstance(upper, bool))
        ):
            raise ValidationFailed(
                "invalid_fee_bands",
                f"Khung {i + 1} phải có from, to (số nguyên hoặc null) và amount_vnd (số nguyên).",
                f"Band {i + 1} needs integer from, to (or null) and amount_vnd.",
                field=f"bands[{i}]",
            )
        out.append(Band(b["from"], upper, b["amount_vnd"]))
    return tuple(out)


def bands_to_json(bands: Iterable[Band]) -> list[dict[str, Any]]:
    return [{"from": b.lower, "to": b.upper, "amount_vnd": b.amount_vnd} for b in bands]


# ----------------------------------------------------------------------------- arithmetic


def reduce_by(amount: int, percent: int, rounding: str = Rounding.HALF_UP) -> int:
    """What is left of `amount` đồng after `percent` % off, in whole đồng; integers only."""
    if not 0 <= percent <= 100:
        raise ValueError("percent must be 0..100")
    numerator = amount * (100 - percent)
    if rounding == Rounding.DOWN:
        return numerator // 100
    if rounding == Rounding.UP:
        return -((-numerator) // 100)
    return (numerator + 50) // 100  # half up (amounts are ≥ 0)


def vnd(amount: int | None) -> str:
    """An amount in the Vietnamese money format: 50000 → "50.000 đồng"."""
    if amount is None:
        return "chưa xác định"
    return f"{amount:,} đồng".replace(",", ".")


def _answer(answers: Mapping[str, int], key: str, item: ItemSpec) -> int:
    value = answers.get(key)
    if value is None:
        raise _answer_error(
            key,
            f"Cần cho biết {ANSWER_LABELS.get(key, item.unit or key).lower()} để tính khoản "
            f"“{item.name}”.",
            f"'{key}' is needed to compute the fee “{item.name}”.",
        )
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _answer_error(
            key, f"{key} phải là số nguyên ≥ 0.", f"{key} must be a whole number ≥ 0."
        )
    return value


def _tiered(units: int, bands: Sequence[Band]) -> int:
    total = 0
    for b in bands:
        # units numbered 1..units; unit n is in band b when b.lower ≤ n < b.upper
        top = units + 1 if b.upper is None else min(b.upper, units + 1)
        low = max(b.lower, 1)
        if top > low:
            total += (top - low) * b.amount_vnd
    return total


def base_of(item: ItemSpec, answers: Mapping[str, int]) -> tuple[int | None, str]:
    """The item's amount before any policy, and how it was computed."""
    if item.amount_vnd is None and item.computation in (
        FeeComputation.FIXED,
        FeeComputation.PER_UNIT,
    ):
        return None, "chưa có mức thu trong dữ liệu thủ tục"
    unit = item.unit or "đơn vị"
    if item.computation == FeeComputation.FIXED:
        amount, how = int(item.amount_vnd or 0), vnd(item.amount_vnd)
    elif item.computation == FeeComputation.PER_UNIT:
        n = _answer(answers, item.answer_key, item)
        amount, how = n * int(item.amount_vnd or 0), f"{n} {unit} × {vnd(item.amount_vnd)}"
    else:
        value = _answer(answers, item.answer_key, item)
        check_bands(item.bands)
        if item.computation == FeeComputation.TIERED:
            amount, how = _tiered(value, item.bands), f"{value} {unit}, tính theo bậc"
        else:
            band = next((b for b in item.bands if b.holds(value)), None)
            if band is None:
                raise _answer_error(
                    item.answer_key,
                    f"{value} {unit} nằm ngoài các khung của khoản “{item.name}”.",
                    f"{value} is outside the bands of “{item.name}”.",
                )
            upper = "trở lên" if band.upper is None else f"đến dưới {band.upper}"
            amount, how = band.amount_vnd, f"{value} {unit}: khung từ {band.lower} {upper}"
    if item.minimum_vnd is not None and amount < item.minimum_vnd:
        amount, how = item.minimum_vnd, f"{how}; mức tối thiểu {vnd(item.minimum_vnd)}"
    if item.maximum_vnd is not None and amount > item.maximum_vnd:
        amount, how = item.maximum_vnd, f"{how}; tối đa {vnd(item.maximum_vnd)}"
    if item.multiplier_key:
        m = _answer(answers, item.multiplier_key, item)
        amount, how = amount * m, f"({how}) × {m}"
    return amount, how


def _order(p: PolicySpec) -> tuple[int, dt.date, int]:
    return (0 if p.effect == PolicyEffect.ONLINE_REDUCTION else 1, p.valid_from, p.id or 0)


def proven(policy: PolicySpec, applicant_attributes: frozenset[str], proofs: Iterable[str]) -> bool:
    """A subject's policy is proven by a verified attribute of the applicant, or by a
    component handed in whose (folded) name holds the policy's key."""
    if policy.proof_kind == ProofKind.ATTRIBUTE:
        return policy.proof_key in applicant_attributes
    if policy.proof_kind == ProofKind.COMPONENT:
        key = fold(policy.proof_key)
        return bool(key) and any(key in fold(name) for name in proofs)
    return False


def compute(
    items: Sequence[ItemSpec],
    policies: Sequence[PolicySpec],
    *,
    procedure: str,
    answers: Mapping[str, int] | None = None,
    channel: int,
    applicant_attributes: Iterable[str] = (),
    proofs: Iterable[str] = (),
    on_date: dt.date,
) -> FeeQuote:
    """The quote (pure): see the module's rules. `proofs` are the names of the components
    handed in; `applicant_attributes` the applicant's verified attributes."""
    answers = dict(answers or {})
    attributes = frozenset(applicant_attributes)
    proof_names = tuple(proofs)
    in_force = sorted((p for p in policies if p.in_force(on_date)), key=_order)
    lines = []
    for item in items:
        if item.channels and channel not in item.channels:
            continue
        base, how = base_of(item, answers)
        amount, applied = base, []
        for p in in_force:
            if not p.covers(procedure, item):
                continue
            if p.effect == PolicyEffect.ONLINE_REDUCTION:
                if channel != Channel.ONLINE or item.channels:
                    continue
            elif not proven(p, attributes, proof_names):
                continue
            if amount is None and p.percent < 100:
                continue  # a reduction of an unknown amount stays unknown
            after = 0 if p.percent == 100 else reduce_by(int(amount or 0), p.percent, p.rounding)
            applied.append(
                Applied(
                    policy_id=p.id,
                    name=p.name,
                    legal_basis=p.legal_basis,
                    effect=p.effect,
                    percent=p.percent,
                    before_vnd=amount,
                    reduction_vnd=None if amount is None else amount - after,
                    after_vnd=after,
                    confidence=p.confidence,
                )
            )
            amount = after
        lines.append(
            FeeLine(
                item_id=item.id,
                name=item.name,
                kind=item.kind,
                computation=item.computation,
                explanation=how,
                base_vnd=base,
                applied=tuple(applied),
                final_vnd=amount,
                legal_basis=item.legal_basis,
            )
        )
    return FeeQuote(
        procedure=procedure,
        channel=int(channel),
        on_date=on_date,
        lines=tuple(lines),
        answers=answers,
    )


# ----------------------------------------------------------------------------- from the database


def item_spec(f: Any) -> ItemSpec:
    """A `FeeItem` as `compute` reads it."""
    basis = " — ".join(x for x in (f.legal_basis_number, f.legal_basis_text) if x)
    return ItemSpec(
        id=f.pk,
        name=f.name,
        kind=f.kind,
        computation=f.computation,
        amount_vnd=f.amount_vnd,
        unit=f.unit,
        answer_key=f.answer_key,
        multiplier_key=f.multiplier_key,
        bands=bands_from_json(f.bands or []),
        minimum_vnd=f.minimum_vnd,
        maximum_vnd=f.maximum_vnd,
        channels=tuple(int(c) for c in f.channels or ()),
        legal_basis=basis,
    )


def policy_spec(p: Any) -> PolicySpec:
    basis = " — ".join(x for x in (p.legal_basis_number, p.legal_basis_text) if x)
    return PolicySpec(
        id=p.pk,
        name=p.name,
        legal_basis=basis,
        effect=p.effect,
        percent=p.percent,
        valid_from=p.valid_from,
        valid_to=p.valid_to,
        scope=p.scope,
        procedures=frozenset(p.procedure_codes or ()),
        fee_kind=p.fee_kind,
        rounding=p.rounding,
        subject=p.subject,
        proof_kind=p.proof_kind,
        proof_key=p.proof_key,
        confidence=p.confidence,
    )


def policies_on(day: dt.date) -> list[PolicySpec]:
    """The active policies in force on `day`, oldest first (1 precompiled statement: a
    submission asks for them, docs/adr/0003)."""
    from motcua.core import rows

    from .models import FeePolicy

    active, start, end, pk = (
        rows.column(FeePolicy, name, "t0") for name in ("active", "valid_from", "valid_to", "pk")
    )
    found = rows.select(
        FeePolicy,
        f"{active} = %s AND {start} <= %s AND ({end} IS NULL OR {end} >= %s)",
        [True, day, day],
        tail=f"ORDER BY {start}, {pk}",
    )
    return [policy_spec(p) for p in found]


def items_of(version: Any) -> list[ItemSpec]:
    """The version's fee items in their order: those prefetched with the version, or 1
    precompiled statement (a submission asks for them, docs/adr/0003)."""
    from motcua.core import rows

    from .models import FeeItem

    found = getattr(version, "_prefetched_objects_cache", {}).get("fees")
    if found is None:
        found = rows.select(
            FeeItem,
            f"{rows.column(FeeItem, 'version', 't0')} = %s",
            [version.pk],
            tail=f"ORDER BY {rows.column(FeeItem, 'order', 't0')}, {rows.column(FeeItem, 'pk', 't0')}",
        )
    return [item_spec(f) for f in found]


def answer_keys(version: Any) -> list[tuple[str, str]]:
    """The answers the version's fee items need: [(key, label)], in item order, each once."""
    seen: dict[str, str] = {}
    for f in version.fees.all():
        for key in (f.answer_key, f.multiplier_key):
            if key and key not in seen:
                seen[key] = ANSWER_LABELS.get(key, f.unit or key)
    return list(seen.items())


# The applicant-facing question of the usual answer keys (others show the item's unit).
ANSWER_LABELS = {
    "so_ban": "Số bản",
    "so_ban_sao": "Số bản sao",
    "so_trang": "Số trang (của bản chính)",
    "so_nguoi": "Số người",
    "dien_tich_m2": "Diện tích (m²)",
}


def quote(
    version: Any,
    answers: Mapping[str, int] | None = None,
    *,
    channel: int,
    applicant_attributes: Iterable[str] = (),
    proofs: Iterable[str] = (),
    on_date: dt.date,
    policies: Sequence[PolicySpec] | None = None,
    procedure_code: str | None = None,
    items: Sequence[ItemSpec] | None = None,
) -> FeeQuote:
    """The amount due for a dossier of `version` by `channel` on `on_date` (see the module).
    `policies` defaults to those in force on the day (`policies_on`), `procedure_code` to
    the version's procedure's, `items` to the version's fee items (`item_spec`)."""
    if items is None:
        items = items_of(version)
    if policies is None:
        policies = policies_on(on_date) if items else []
    return compute(
        items,
        policies,
        procedure=procedure_code or version.procedure.code,
        answers=answers,
        channel=channel,
        applicant_attributes=applicant_attributes,
        proofs=proofs,
        on_date=on_date,
    )


def clean_answers(raw: Mapping[str, Any] | None) -> dict[str, int]:
    """Answers as posted (strings from a form, ints from the API) → {key: int ≥ 0}; empty
    values are left out; anything else raises naming the key."""
    out: dict[str, int] = {}
    for key, value in (raw or {}).items():
        if value in (None, ""):
            continue
        if isinstance(value, str):
            text = value.strip().replace(".", "")
            if not text.isdigit():
                raise _answer_error(
                    key, f"{key} phải là số nguyên ≥ 0.", f"{key} must be a whole number ≥ 0."
                )
            value = int(text)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _answer_error(
                key, f"{key} phải là số nguyên ≥ 0.", f"{key} must be a whole number ≥ 0."
            )
        out[str(key)] = value
    return out


# ----------------------------------------------------------------------------- checking an item


def fee_item_problems(data: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """What is wrong with a fee item's computation fields ({computation, amount_vnd, unit,
    answer_key, multiplier_key, bands, minimum_vnd, maximum_vnd, channels, kind}): a list
    of (field, Vietnamese, English), empty when it is sound. Used by the import and by the
    admin's service, so both refuse the same things."""
    out: list[tuple[str, str, str]] = []
    comp = data.get("computation")
    if comp not in FeeComputation.values:
        out.append(("computation", "Cách tính không hợp lệ.", "Unknown computation."))
        return out
    if data.get("kind", "") not in FeeKind.values:
        out.append(
            ("kind", "Loại khoản thu phải là phí hoặc lệ phí.", "kind must be phi or le_phi.")
        )
    for key in ("amount_vnd", "minimum_vnd", "maximum_vnd"):
        v = data.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
            out.append(
                (key, f"{key} phải là số nguyên đồng ≥ 0.", f"{key} must be whole đồng ≥ 0.")
            )
    lo, hi = data.get("minimum_vnd"), data.get("maximum_vnd")
    if isinstance(lo, int) and isinstance(hi, int) and hi < lo:
        out.append(("maximum_vnd", "Mức tối đa nhỏ hơn mức tối thiểu.", "maximum < minimum."))
    if comp != FeeComputation.FIXED and not data.get("answer_key"):
        out.append(
            (
                "answer_key",
                "Cách tính này cần khóa câu trả lời.",
                "This computation needs answer_key.",
            )
        )
    if comp in (FeeComputation.TIERED, FeeComputation.BAND):
        try:
            check_bands(bands_from_json(data.get("bands")))
        except ValidationFailed as exc:
            out.append((exc.field or "bands", exc.message, exc.message_en))
    elif data.get("bands"):
        out.append(
            (
                "bands",
                "Chỉ cách tính theo bậc/khung mới có bảng khung.",
                "Only tiered/band items have bands.",
            )
        )
    channels = data.get("channels") or []
    if not isinstance(channels, list) or any(c not in Channel.values for c in channels):
        out.append(("channels", "Cách thức phải là 1, 2 hoặc 3.", "channels must be 1, 2 or 3."))
    return out
