"""catalog.fees: the one computation of the amount due — each computation kind, the
policies (dates, scope, channel, proof, rounding) and properties over generated cases
(integers only)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from motcua.catalog.enums import Channel, FeeComputation, PolicyEffect, PolicyScope, Rounding
from motcua.catalog.fees import (
    Band,
    FeeQuote,
    ItemSpec,
    PolicySpec,
    bands_from_json,
    check_bands,
    clean_answers,
    compute,
    fee_item_problems,
    reduce_by,
    vnd,
)
from motcua.core.errors import ValidationFailed

DAY = dt.date(2024, 6, 1)
ONLINE, COUNTER, POST = Channel.ONLINE, Channel.COUNTER, Channel.POST


def fixed(amount, name="Lệ phí", kind="le_phi", **kw):
    return ItemSpec(id=None, name=name, kind=kind, amount_vnd=amount, **kw)


def online(percent, **kw):
    kw.setdefault("valid_from", dt.date(2024, 1, 1))
    return PolicySpec(
        id=kw.pop("id", 1),
        name=kw.pop("name", "Giảm khi nộp trực tuyến"),
        legal_basis="NQ",
        effect=PolicyEffect.ONLINE_REDUCTION,
        percent=percent,
        **kw,
    )


def subject(percent=100, proof_kind="attribute", proof_key="ho_ngheo", **kw):
    kw.setdefault("valid_from", dt.date(2020, 1, 1))
    return PolicySpec(
        id=kw.pop("id", 2),
        name="Miễn cho hộ nghèo",
        legal_basis="TT",
        effect=PolicyEffect.SUBJECT,
        percent=percent,
        proof_kind=proof_kind,
        proof_key=proof_key,
        **kw,
    )


def q(items, policies=(), *, channel=ONLINE, answers=None, day=DAY, **kw):
    return compute(
        items, policies, procedure="1.000001", answers=answers, channel=channel, on_date=day, **kw
    )


# ----------------------------------------------------------------------------- kinds


def test_fixed_amount():
    quote = q([fixed(50000)])
    assert quote.total_vnd == 50000
    assert quote.lines[0].base_vnd == 50000 and quote.lines[0].final_vnd == 50000
    assert not quote.has_unknown


def test_per_unit_multiplies_the_answer():
    item = ItemSpec(
        id=None, name="Bản sao", computation="per_unit", amount_vnd=8000, unit="bản",
        answer_key="so_ban",
    )  # fmt: skip
    assert q([item], answers={"so_ban": 3}).total_vnd == 24000
    assert q([item], answers={"so_ban": 0}).total_vnd == 0


def test_per_unit_without_its_answer_names_the_key():
    item = ItemSpec(
        id=None, name="Bản sao", computation="per_unit", amount_vnd=8000, answer_key="so_ban"
    )
    with pytest.raises(ValidationFailed) as exc:
        q([item])
    assert exc.value.field == "fee_answers.so_ban"


# The chứng thực fee (2.000815): 2.000 đồng/page for pages 1–2, 1.000 from page 3, at most
# 200.000 per copy, times the copies.
CERTIFY = ItemSpec(
    id=None,
    name="Phí chứng thực bản sao từ bản chính",
    computation=FeeComputation.TIERED,
    amount_vnd=2000,
    unit="trang",
    answer_key="so_trang",
    multiplier_key="so_ban",
    bands=(Band(0, 3, 2000), Band(3, None, 1000)),
    maximum_vnd=200000,
)


@pytest.mark.parametrize(
    ("pages", "copies", "total"),
    [
        (1, 1, 2000),
        (2, 1, 4000),
        (3, 1, 5000),
        (5, 2, 2 * (2 * 2000 + 3 * 1000)),
        (196, 1, 2 * 2000 + 194 * 1000),  # 198.000, under the maximum
        (300, 1, 200000),  # 302.000 → the maximum per copy
        (300, 3, 600000),
        (0, 4, 0),
    ],
)
def test_tiered_pages_with_a_maximum_per_copy(pages, copies, total):
    assert q([CERTIFY], answers={"so_trang": pages, "so_ban": copies}).total_vnd == total


AREA = ItemSpec(
    id=None,
    name="Lệ phí theo diện tích",
    computation=FeeComputation.BAND,
    unit="m²",
    answer_key="dien_tich_m2",
    bands=(Band(0, 100, 100000), Band(100, 500, 300000), Band(500, None, 500000)),
)


@pytest.mark.parametrize(
    ("area", "amount"), [(0, 100000), (99, 100000), (100, 300000), (499, 300000), (500, 500000)]
)
def test_band_lower_bound_inclusive_upper_exclusive(area, amount):
    assert q([AREA], answers={"dien_tich_m2": area}).total_vnd == amount


def test_band_outside_a_closed_table_is_refused():
    closed = ItemSpec(
        id=None, name="X", computation="band", answer_key="k", bands=(Band(0, 10, 5),)
    )
    with pytest.raises(ValidationFailed) as exc:
        q([closed], answers={"k": 10})
    assert exc.value.field == "fee_answers.k"


def test_minimum_and_maximum_bound_the_amount():
    item = ItemSpec(
        id=None, name="X", computation="per_unit", amount_vnd=1000, answer_key="n",
        minimum_vnd=5000, maximum_vnd=20000,
    )  # fmt: skip
    assert q([item], answers={"n": 1}).total_vnd == 5000
    assert q([item], answers={"n": 10}).total_vnd == 10000
    assert q([item], answers={"n": 99}).total_vnd == 20000


def test_an_item_without_a_figure_is_unknown_and_flagged():
    quote = q([fixed(None, name="Lệ phí do HĐND quyết định"), fixed(8000, name="Phí bản sao")])
    assert quote.has_unknown
    assert [line.final_vnd for line in quote.lines] == [None, 8000]
    assert quote.total_vnd == 8000
    assert quote.lines[0].unknown


def test_items_priced_for_other_channels_are_left_out():
    items = [
        fixed(135000, name="Lệ phí GPLX", channels=(1, 3)),
        fixed(115000, name="Lệ phí GPLX (nộp trực tuyến)", channels=(2,)),
    ]
    assert q(items, channel=ONLINE).total_vnd == 115000
    assert q(items, channel=COUNTER).total_vnd == 135000
    assert q(items, channel=POST).total_vnd == 135000


# ----------------------------------------------------------------------------- policies


def test_online_reduction_applies_online_only():
    assert q([fixed(50000)], [online(50)], channel=ONLINE).total_vnd == 25000
    assert q([fixed(50000)], [online(50)], channel=COUNTER).total_vnd == 50000


def test_online_reduction_skips_items_the_record_prices_per_channel():
    item = fixed(115000, channels=(2,))
    assert q([item], [online(50)]).total_vnd == 115000


def test_the_line_keeps_each_policy_with_its_basis_and_amount():
    line = q([fixed(50000)], [online(50)]).lines[0]
    (applied,) = line.applied
    assert (applied.before_vnd, applied.reduction_vnd, applied.after_vnd) == (50000, 25000, 25000)
    assert applied.legal_basis == "NQ" and applied.percent == 50


def test_policy_dates_are_inclusive_at_both_ends():
    p = online(50, valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2025, 12, 31))
    got = {
        day: q([fixed(1000)], [p], day=day).total_vnd
        for day in (
            dt.date(2023, 12, 31),
            dt.date(2024, 1, 1),
            dt.date(2025, 12, 31),
            dt.date(2026, 1, 1),
        )
    }
    assert got == {
        dt.date(2023, 12, 31): 1000,
        dt.date(2024, 1, 1): 500,
        dt.date(2025, 12, 31): 500,
        dt.date(2026, 1, 1): 1000,
    }


def test_scope_by_procedure_list_and_fee_kind():
    in_list = online(50, scope=PolicyScope.PROCEDURES, procedures=frozenset({"1.000001"}))
    other = online(50, scope=PolicyScope.PROCEDURES, procedures=frozenset({"9.999999"}))
    assert q([fixed(1000)], [in_list]).total_vnd == 500
    assert q([fixed(1000)], [other]).total_vnd == 1000
    by_kind = online(50, scope=PolicyScope.FEE_KIND, fee_kind="phi")
    quote = q([fixed(1000, kind="phi"), fixed(1000, kind="le_phi")], [by_kind])
    assert [line.final_vnd for line in quote.lines] == [500, 1000]


def test_an_unproven_exemption_is_not_applied():
    assert q([fixed(20000)], [subject()]).total_vnd == 20000
    assert q([fixed(20000)], [subject()], applicant_attributes={"nguoi_co_cong"}).total_vnd == (
        20000
    )


def test_an_exemption_proven_by_a_verified_attribute():
    quote = q([fixed(20000)], [subject()], applicant_attributes={"ho_ngheo"})
    assert quote.total_vnd == 0
    assert quote.lines[0].applied[0].reduction_vnd == 20000


def test_an_exemption_proven_by_a_component_handed_in():
    policy = subject(proof_kind="component", proof_key="giấy xác nhận khuyết tật")
    proof = ["Giấy xác nhận khuyết tật (bản sao)"]
    assert q([fixed(20000)], [policy], proofs=proof).total_vnd == 0
    assert q([fixed(20000)], [policy], proofs=["Tờ khai"]).total_vnd == 20000


def test_an_exemption_settles_an_unknown_amount_but_a_reduction_does_not():
    assert q([fixed(None)], [subject()], applicant_attributes={"ho_ngheo"}).lines[0].final_vnd == 0
    assert q([fixed(None)], [online(50)]).lines[0].final_vnd is None


def test_policies_apply_one_after_another_online_first():
    quote = q([fixed(10000)], [subject(percent=50), online(50)], applicant_attributes={"ho_ngheo"})
    line = quote.lines[0]
    assert [a.effect for a in line.applied] == ["online", "subject"]
    assert line.final_vnd == 2500


@pytest.mark.parametrize(
    ("amount", "rounding", "left"),
    [
        (8001, Rounding.HALF_UP, 4001),  # 4000.5 → 4001
        (8001, Rounding.DOWN, 4000),
        (8001, Rounding.UP, 4001),
        (8002, Rounding.HALF_UP, 4001),
        (1, Rounding.HALF_UP, 1),  # 0.5 → 1
        (135001, Rounding.HALF_UP, 67501),
    ],
)
def test_rounding_of_a_percent_reduction(amount, rounding, left):
    assert reduce_by(amount, 50, rounding) == left
    assert q([fixed(amount)], [online(50, rounding=rounding)]).total_vnd == left


def test_money_format():
    assert vnd(50000) == "50.000 đồng"
    assert vnd(1250000) == "1.250.000 đồng"
    assert vnd(0) == "0 đồng"
    assert vnd(None) == "chưa xác định"


def test_the_kept_form_reads_back_unchanged():
    quote = q(
        [fixed(50000), CERTIFY, fixed(None)],
        [online(50)],
        answers={"so_trang": 4, "so_ban": 2},
    )
    data = quote.as_json()
    assert FeeQuote.from_json(data) == quote
    assert data["total_vnd"] == quote.total_vnd and data["has_unknown"] is True


def test_answers_from_a_form():
    assert clean_answers({"so_ban": "2", "so_trang": "", "n": 3}) == {"so_ban": 2, "n": 3}
    with pytest.raises(ValidationFailed) as exc:
        clean_answers({"so_ban": "-1"})
    assert exc.value.field == "fee_answers.so_ban"
    with pytest.raises(ValidationFailed):
        clean_answers({"so_ban": "1,5"})


def test_item_checks():
    ok = {"computation": "fixed", "amount_vnd": 1000, "channels": [], "kind": "phi"}
    assert fee_item_problems(ok) == []
    assert [p[0] for p in fee_item_problems({**ok, "computation": "per_unit"})] == ["answer_key"]
    gap = [{"from": 0, "to": 10, "amount_vnd": 1}, {"from": 11, "to": None, "amount_vnd": 2}]
    bad = {**ok, "computation": "band", "answer_key": "k", "bands": gap}
    assert [p[0] for p in fee_item_problems(bad)] == ["bands[1]"]
    assert [p[0] for p in fee_item_problems({**ok, "amount_vnd": 1.5})] == ["amount_vnd"]
    assert [p[0] for p in fee_item_problems({**ok, "channels": [4]})] == ["channels"]


# ----------------------------------------------------------------------------- properties

money = st.integers(min_value=0, max_value=10**12)
percents = st.integers(min_value=1, max_value=100)
roundings = st.sampled_from(list(Rounding))


@st.composite
def items(draw):
    kind = draw(st.sampled_from(["phi", "le_phi", ""]))
    channels = draw(st.sampled_from([(), (1,), (2,), (2, 3), (1, 3)]))
    return ItemSpec(
        id=draw(st.integers(1, 10**6)),
        name="X",
        kind=kind,
        amount_vnd=draw(st.none() | money),
        channels=channels,
    )


@st.composite
def policies(draw):
    start = dt.date(2023, 1, 1) + dt.timedelta(days=draw(st.integers(0, 900)))
    end = draw(st.none() | st.integers(0, 900).map(lambda n: start + dt.timedelta(days=n)))
    effect = draw(st.sampled_from(list(PolicyEffect)))
    return PolicySpec(
        id=draw(st.integers(1, 10**6)),
        name="P",
        legal_basis="B",
        effect=effect,
        percent=draw(percents),
        valid_from=start,
        valid_to=end,
        fee_kind=draw(st.sampled_from(["", "phi", "le_phi"])),
        rounding=draw(roundings),
        proof_kind="attribute" if effect == PolicyEffect.SUBJECT else "",
        proof_key="ho_ngheo" if effect == PolicyEffect.SUBJECT else "",
    )


days = st.integers(0, 1200).map(lambda n: dt.date(2023, 1, 1) + dt.timedelta(days=n))


@given(
    st.lists(items(), max_size=6),
    st.lists(policies(), max_size=4),
    st.sampled_from(list(Channel)),
    st.sets(st.sampled_from(["ho_ngheo", "nguoi_co_cong"])),
    days,
)
def test_property_total_is_the_sum_of_lines_and_nothing_grows(its, pols, channel, attributes, day):
    quote = q(its, pols, channel=channel, applicant_attributes=attributes, day=day)
    assert quote.total_vnd == sum(line.final_vnd or 0 for line in quote.lines)
    for line in quote.lines:
        assert line.final_vnd is None or type(line.final_vnd) is int
        if line.base_vnd is not None:
            assert 0 <= line.final_vnd <= line.base_vnd
        for a in line.applied:
            assert a.after_vnd >= 0
            assert a.before_vnd is None or a.after_vnd + a.reduction_vnd == a.before_vnd
            assert a.policy_id in {p.id for p in pols if p.in_force(day)}


@given(money, percents, roundings)
def test_property_a_reduction_never_increases(amount, percent, rounding):
    left = reduce_by(amount, percent, rounding)
    assert type(left) is int and 0 <= left <= amount
    # within one đồng of the exact value, on the side the rule says
    exact_hundredths = amount * (100 - percent)
    assert abs(left * 100 - exact_hundredths) < 100
    if percent == 50:
        assert left == (amount + 1) // 2 if rounding != Rounding.DOWN else amount // 2


@given(st.lists(st.tuples(money, st.sampled_from(["phi", "le_phi"])), min_size=1, max_size=6))
def test_property_an_exemption_gives_zero_for_the_exempted_items_only(rows):
    its = [fixed(a, kind=k) for a, k in rows]
    policy = subject(fee_kind="le_phi")
    quote = q(its, [policy], applicant_attributes={"ho_ngheo"})
    for (amount, kind), line in zip(rows, quote.lines, strict=True):
        assert line.final_vnd == (0 if kind == "le_phi" else amount)
    assert quote.total_vnd == sum(a for a, k in rows if k == "phi")


@given(st.lists(st.integers(1, 1000), min_size=1, max_size=6), st.booleans(), st.data())
def test_property_bands_cover_without_gaps(widths, open_end, data):
    bounds = [0]
    for w in widths:
        bounds.append(bounds[-1] + w)
    bands = [Band(lo, hi, i) for i, (lo, hi) in enumerate(zip(bounds, bounds[1:], strict=False))]
    if open_end:
        bands[-1] = Band(bands[-1].lower, None, bands[-1].amount_vnd)
    check_bands(bands)
    top = bounds[-1] + (5000 if open_end else 0)
    value = data.draw(st.integers(0, top - 1) if top > 0 else st.just(0))
    assert sum(b.holds(value) for b in bands) == 1
    # a gap or an overlap anywhere is refused
    i = data.draw(st.integers(1, len(bands)), label="broken band") if len(bands) > 1 else None
    assume(i is not None and i < len(bands))
    shift = data.draw(st.sampled_from([-1, 1]))
    broken = list(bands)
    b = broken[i]
    assume(b.lower + shift >= 0 and (b.upper is None or b.lower + shift < b.upper))
    broken[i] = Band(b.lower + shift, b.upper, b.amount_vnd)
    with pytest.raises(ValidationFailed) as exc:
        check_bands(broken)
    assert exc.value.field == f"bands[{i}]"


def test_bands_read_from_json_refuse_floats():
    with pytest.raises(ValidationFailed):
        bands_from_json([{"from": 0, "to": 1.5, "amount_vnd": 1}])
    assert bands_from_json([{"from": 0, "to": None, "amount_vnd": 7}]) == (Band(0, None, 7),)
