"""A synthesizer of dossier HISTORY: a year of past dossiers written in bulk.

This is the equivalent of importing legacy data, not a way to act on dossiers. Live actions
(submit, receive, forward, approve, ...) always go through `motcua.dossiers.services`, which
lock the row and check every rule; those cost 3–8 ms per transition, far too slow for
tens of thousands of histories. Here each dossier's whole life is built in Python and the
rows are written with `bulk_create` in one transaction.

To stay consistent with what the services would have written, the synthesizer plays each
life on `motcua.dossiers.replay.Life`, the bulk writers' shared layer (also the CSV
importer's), which applies every event with the services' rules — the TRANSITIONS table,
the appointment, step deadlines and control sheet, the one pause rule, the regime — and:
- numbers events seq = 1..n and leaves dossier.version = n, like `_save`;
- codes dossiers at submission with the one code rule (motcua.dossiers.codes) from a
  per-(agency, day) counter in the order of submission and writes the same counter into
  DailySequence, so the next live submission continues the numbering;
- computes its own random moments with the real work calendar;
- acts through users who hold the role the services' `authorize` would require: the
  current step's role in the step's agency for forward / approve, the receiving counter
  for receipt and return, the settling leader for an apology, the owner for applicant
  actions.
Nothing happens after `now`: a life that would continue past it stops where it is, which
leaves the last weeks' dossiers open (1, 2, 4, 5, 6, 9), some of them overdue.
History has no attachment files; `digitized` / `electronic_result` are set as facts. Every
settlement is a paid Payment of the channel that took the money, with its evidence
(motcua.payments.history), written with the dossiers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from motcua.catalog import cases, fees
from motcua.catalog.enums import AgencyRole, Channel, Level
from motcua.catalog.models import FeePolicy, Procedure
from motcua.core.bulk import insert_rows
from motcua.core.text import fold
from motcua.dossiers import rules, timing
from motcua.dossiers.chain import ROW_FIELDS, chain_rows
from motcua.dossiers.codes import code_day, code_format
from motcua.dossiers.enums import COUNTER_CHANNELS, Action, PaidOnline, PaymentChannel
from motcua.dossiers.models import (
    BOOK_OF_ACTION,
    BookSequence,
    DailySequence,
    Dossier,
    DossierEvent,
    Handover,
    Pause,
    ReceivedComponent,
    ReceivedSource,
    search_key_for,
)
from motcua.dossiers.replay import PAYMENT_SYSTEM, Actor, Life
from motcua.dossiers.services import SECRET_ALPHABET
from motcua.org.enums import ApplicantKind
from motcua.org.models import Agency
from motcua.payments.history import PastPayment, history_payments_write, history_reference
from motcua.payments.models import VerifiedBy
from motcua.workcalendar.selectors import get_calendar

from . import names
from .province import DEMO_CITIZEN, Province

VN = timing.VN
# The ranges the demo draws the fee items' answers from (copies, pages, people, m²).
DEMO_ANSWERS = {
    "so_ban": (1, 3),
    "so_ban_sao": (1, 3),
    "so_trang": (1, 12),
    "so_nguoi": (1, 6),
    "dien_tich_m2": (30, 400),
}
BATCH = 2000
APPLICANT = "applicant"

# Relative demand by field (folded name): hộ tịch, chứng thực and cư trú dominate.
FIELD_WEIGHT = (
    ("ho tich", 34.0),
    ("chung thuc", 26.0),
    ("cu tru", 12.0),
    ("can cuoc", 4.0),
    ("ho kinh doanh", 5.0),
    ("doanh nghiep", 4.0),
    ("dat dai", 7.0),
    ("xay dung", 2.5),
    ("ly lich tu phap", 2.5),
    ("giay phep lai xe", 3.0),
    ("xuat nhap canh", 2.5),
    ("viec lam", 1.0),
    ("nong lam san", 0.5),
    ("hop tac xa", 0.4),
    ("nuoi con nuoi", 0.2),
)
# Within a field, the everyday procedures weigh more.
CODE_BOOST = {
    "1.001193": 5.0,  # khai sinh
    "1.000656": 2.5,  # khai tử
    "1.000894": 2.5,  # kết hôn
    "1.004873": 3.0,  # xác nhận tình trạng hôn nhân
    "2.000635": 3.0,  # bản sao trích lục
    "2.000815": 5.0,  # chứng thực bản sao
    "2.000884": 2.5,  # chứng thực chữ ký
    "1.004194": 1.5,  # tạm trú
}
BUSINESS_FIELDS = ("doanh nghiep", "vat lieu xay dung", "nong lam san", "viec lam", "hop tac xa")

SUPPLEMENT_REASONS = (
    "Thiếu bản sao giấy tờ tùy thân của người đi đăng ký.",
    "Tờ khai chưa đủ chữ ký, cần bổ sung.",
    "Giấy tờ chứng minh nơi cư trú chưa hợp lệ.",
    "Bản vẽ, sơ đồ thửa đất chưa đúng mẫu.",
)
REFUSAL_REASONS = (
    "Thủ tục không thuộc thẩm quyền giải quyết của cơ quan.",
    "Hồ sơ không đúng thành phần theo quy định.",
    "Người nộp không cung cấp được giấy tờ tùy thân.",
)
WITHDRAW_REASONS = ("Không còn nhu cầu giải quyết.", "Nộp nhầm thủ tục, sẽ nộp lại.")


class Cut(Exception):
    """The next event would happen after `now`: the life stops here."""


@dataclass
class ProcInfo:
    procedure: Procedure
    versions: list  # ProcedureVersion, oldest first
    weight: float
    business: bool
    route: str  # who settles: a key of province.SETTLER_BY_RECORD_AGENCY, from the record
    steps: dict = field(default_factory=dict)  # version id -> [ProcessStep]
    fees: dict = field(default_factory=dict)  # version id -> [catalog.fees.ItemSpec]
    components: dict = field(default_factory=dict)  # version id -> [component ids]
    needed: dict = field(default_factory=dict)  # version id -> [Component] to hand in
    payment_pauses: dict = field(default_factory=dict)  # version id -> bool (rules)

    def version_on(self, day: dt.date):
        for v in reversed(self.versions):
            if v.effective_from <= day and (v.effective_to is None or day <= v.effective_to):
                return v
        return self.versions[0]


@dataclass
class Plan:
    """One dossier's life, played on the bulk writers' shared layer (replay.Life, the
    services' rules): `d` is the Life's values plus the facts around it (procedure, owner,
    applicant details, …); the events, control sheet and pauses are the Life's."""

    life: Life
    d: dict = field(init=False)
    events: list = field(init=False)
    handovers: list = field(init=False)
    pauses: list = field(init=False)

    def __post_init__(self) -> None:
        self.d = self.life.values
        self.events, self.handovers = self.life.events, self.life.handovers
        self.pauses = self.life.pauses


def _field_weight(folded: str) -> float:
    for needle, w in FIELD_WEIGHT:
        if needle in folded:
            return w
    return 0.5


def _procedures(p: Province) -> list[ProcInfo]:
    procs = list(
        Procedure.objects.filter(active=True)
        .select_related("field")
        .prefetch_related("versions__steps", "versions__fees", "versions__components")
        .order_by("code")
    )
    per_field = Counter(fold(pr.field.name) for pr in procs)
    out = []
    for pr in procs:
        versions = sorted(pr.versions.all(), key=lambda v: (v.effective_from, v.number))
        if not versions:
            continue
        folded = fold(pr.field.name)
        weight = _field_weight(folded) / per_field[folded] * CODE_BOOST.get(pr.code, 1.0)
        info = ProcInfo(
            procedure=pr,
            versions=versions,
            weight=weight,
            business=any(b in folded for b in BUSINESS_FIELDS),
            route=p.procedure_route(versions[-1].settling_agency_text),
        )
        for v in versions:
            info.steps[v.pk] = sorted(v.steps.all(), key=lambda s: s.order)
            info.fees[v.pk] = [fees.item_spec(f) for f in v.fees.all()]
            info.payment_pauses[v.pk] = rules.payment_pauses_clock(v, pr.field.name)
            info.components[v.pk] = [
                c.pk for c in sorted(v.components.all(), key=lambda c: c.order)
            ]
            info.needed[v.pk] = [
                c for c in sorted(v.components.all(), key=lambda c: c.order) if cases.needed(c)
            ]
        out.append(info)
    return out


def _is_return_step(steps, index: int) -> bool:
    """Same rule as the services: trailing receiving-side counter steps return the result."""
    return all(
        s.agency_role == AgencyRole.RECEIVING and s.role == "counter" for s in steps[index:]
    ) and any(s.agency_role == AgencyRole.SETTLING for s in steps[:index])


def _hours(value: float) -> Decimal:
    return Decimal(str(round(max(value, 0.02), 2)))


class Synthesizer:
    def __init__(self, p: Province, *, seed: int, now: dt.datetime, days: int = 365):
        self.p = p
        self.rng = random.Random(seed)
        # The payments' own draws (channel within a kind, references, evidence): adding them
        # leaves every other draw of the seed as it was.
        self.pay_rng = random.Random(seed * 7919 + 11)
        self.now = now.astimezone(VN)
        self.start = self.now - dt.timedelta(days=days)
        self.procs = _procedures(p)
        # Every policy, in force or not: quote keeps those in force on each day.
        self.policies = [fees.policy_spec(x) for x in FeePolicy.objects.filter(active=True)]
        self.proc_weights = [pi.weight for pi in self.procs]
        self.commune_weights = [c.spec.weight for c in p.communes]
        citizens = [a for a in p.citizens if a.user.username != DEMO_CITIZEN]
        self.demo_citizen = next((a for a in p.citizens if a.user.username == DEMO_CITIZEN), None)
        self.citizens = citizens
        self.businesses = p.businesses

    # ------------------------------------------------------------------ helpers

    def user(self, agency: Agency, role: str) -> User:
        return self.p.staff[(agency.pk, role)]

    def step_agency(self, plan: Plan, step):
        return (
            plan.d["receiving"] if step.agency_role == AgencyRole.RECEIVING else plan.d["settling"]
        )

    def check(self, at: dt.datetime) -> None:
        """Nothing happens after `now`: the life stops before an event that would."""
        if at > self.now:
            raise Cut

    def applicant_actor(self, plan: Plan) -> User | None:
        owner = plan.d["owner"]
        return owner.user if owner is not None else None

    def applicant(self, plan: Plan) -> Actor:
        return Actor(self.applicant_actor(plan), APPLICANT, None)

    def staff(self, agency, role: str) -> Actor:
        return Actor(self.user(agency, role), role, agency)

    def work(self, agency, start: dt.datetime, hours: float) -> dt.datetime:
        """The moment `hours` working hours after `start` in `agency`'s calendar."""
        return timing.step_due(agency, start, _hours(hours))

    def working_moment(self, agency, day: dt.date) -> dt.datetime:
        """A random moment inside the working periods of `day` (a working day)."""
        minute = self.rng.uniform(0, 450)
        base = dt.datetime(day.year, day.month, day.day, 7, 30, tzinfo=VN)
        if minute >= 240:
            minute += 120  # the lunch break 11:30–13:30
        return get_calendar(agency).next_working_moment(base + dt.timedelta(minutes=minute))

    # ------------------------------------------------------------------ one life

    def plan_one(self) -> Plan:
        rng = self.rng
        info = rng.choices(self.procs, weights=self.proc_weights)[0]
        if info.route.startswith("commune.") or info.procedure.level == Level.COMMUNE:
            # Received at a commune's center; settled there or by the provincial agency the
            # record names (e.g. the land registration office).
            commune = rng.choices(self.p.communes, weights=self.commune_weights)[0]
            receiving, settling = commune.center, self.p.settling(info.route, commune)
        else:
            receiving, settling = self.p.center, self.p.settling(info.route)
        recv_cal = get_calendar(receiving)
        # The day of submission, uniform over the year.
        moment = self.start + dt.timedelta(
            seconds=rng.uniform(0, (self.now - self.start).total_seconds())
        )
        day = moment.date()
        version = info.version_on(day)
        channels = set(version.channels or [Channel.COUNTER])
        r = rng.random()
        if r < 0.60 and Channel.ONLINE in channels:
            channel = Channel.ONLINE
        elif r > 0.94 and Channel.POST in channels:
            channel = Channel.POST
        else:
            channel = Channel.COUNTER if Channel.COUNTER in channels else min(channels)

        # Who applies.
        business = info.business and rng.random() < 0.9
        pool = self.businesses if business else self.citizens
        owner = None
        if channel == Channel.ONLINE or rng.random() < 0.25:
            if not business and self.demo_citizen is not None and rng.random() < 0.004:
                owner = self.demo_citizen
            else:
                owner = rng.choice(pool)
        if owner is not None:
            details = {
                "applicant_name": owner.full_name,
                "applicant_id_number": owner.identifier,
                "applicant_phone": owner.phone,
                "applicant_email": owner.email,
                "applicant_address": owner.address,
            }
        else:
            full, _sex = names.person(rng)
            details = {
                "applicant_name": full,
                "applicant_id_number": f"0{rng.choice([24, 27])}{rng.randint(0, 3)}{rng.randint(0, 99):02d}{rng.randint(0, 999999):06d}",
                "applicant_phone": names.phone(rng),
                "applicant_email": "",
                "applicant_address": names.address(rng, receiving.unit.name),
            }

        # When it arrives: online at any hour, at the counter within working hours.
        while True:
            if channel == Channel.ONLINE:
                local = dt.datetime(day.year, day.month, day.day, tzinfo=VN)
                submitted_at = local + dt.timedelta(minutes=rng.uniform(6 * 60, 23 * 60))
            else:
                while not recv_cal.is_working_day(day):
                    day -= dt.timedelta(days=1)
                submitted_at = self.working_moment(receiving, day)
            if submitted_at <= self.now:
                break
            day -= dt.timedelta(days=1)
        steps = info.steps[version.pk]
        assessment = self.assess(info, version, int(channel), submitted_at)
        fee = assessment.total_vnd
        life = Life(
            version=version,
            steps=steps,
            receiving=receiving,
            settling=settling,
            channel=int(channel),
            fee_total=fee,
            assessment=assessment.as_json(),
            payment_pauses=info.payment_pauses[version.pk],
        )
        life.values.update(
            {
                "procedure": info.procedure,
                "version": version,
                "steps": steps,
                "components": info.components[version.pk],
                "needed": info.needed[version.pk],
                "owner": owner,
                "receiving": receiving,
                "settling": settling,
                "digitized": False,
                "reused": rng.random() < 0.35,
                "fee": fee,
                "submitted_at": submitted_at,
                **details,
            }
        )
        plan = Plan(life)
        with contextlib.suppress(Cut):
            self.live(plan)
        return plan

    def assess(self, info: ProcInfo, version, channel: int, at: dt.datetime) -> fees.FeeQuote:
        """The amount due as the submission service assesses it (catalog.fees.quote, the
        same function): answers drawn for the items that ask (copies, pages, people, area),
        the components handed in as proofs, no verified attributes, the policies in force on
        the day of submission."""
        items = info.fees[version.pk]
        answers = {}
        for item in items:
            for key in (item.answer_key, item.multiplier_key):
                if key and key not in answers:
                    low, high = DEMO_ANSWERS.get(key, (1, 3))
                    answers[key] = self.rng.randint(low, high)
        return fees.quote(
            version,
            answers,
            channel=channel,
            proofs=[c.name for c in info.needed[version.pk]],
            on_date=at.astimezone(VN).date(),
            policies=self.policies,
            procedure_code=info.procedure.code,
            items=items,
        )

    def live(self, plan: Plan) -> None:
        rng, d, life = self.rng, plan.d, plan.life
        receiving = d["receiving"]
        counter = self.staff(receiving, "counter")
        at = d["submitted_at"]
        if d["channel"] == Channel.ONLINE:
            life.submit(at, self.applicant(plan), files=rng.randint(1, 3))
            # The counter checks online dossiers within a working day, usually sooner.
            at = self.work(
                receiving, at, rng.choice([0.3, 0.8, 1.5, 3.0, 6.0, 11.0]) * rng.random()
            )
        else:
            life.intake(at, counter)
        if rng.random() < 0.03:
            reason = rng.choice(REFUSAL_REASONS)
            self.check(at)
            life.refuse(at, reason, counter)
            return

        # Receipt: appointment, first step (the code was given at submission, assigned
        # later in order of submission).
        self.check(at)
        life.receive(at, counter)
        d["digitized"] = d["channel"] == Channel.ONLINE or rng.random() < 0.85

        # Fees are collected at the counter right after receipt.
        if d["fee"] > 0:
            at = at + dt.timedelta(minutes=rng.randint(1, 10))
            self.check(at)
            life.request_payment(at, d["fee"], counter)
            if d["owner"] is not None and (d["channel"] == Channel.ONLINE or rng.random() < 0.3):
                paid = (
                    PaidOnline.NATIONAL_PORTAL
                    if rng.random() < 0.45
                    else PaidOnline.PROVINCIAL_PORTAL
                )
                at = at + dt.timedelta(hours=rng.choice([0.2, 1, 3, 20, 40]) * rng.random())
            else:
                paid = PaidOnline.PROVINCIAL_PORTAL if rng.random() < 0.2 else PaidOnline.NO
                at = at + dt.timedelta(minutes=rng.randint(2, 15))
            # The channel that took the money (its own draw, so that the rest of the history
            # is the seed's): online, settled by the payment system on the provider's
            # verified notice; else the counter officer, with the receipt. The settlement
            # applies the services' rule (replay.Life.confirm_payment(channel=…)); the
            # Payment rows and their evidence are written with the dossiers (_write).
            if paid == PaidOnline.NATIONAL_PORTAL:
                channel = PaymentChannel.NATIONAL_PLATFORM
            elif paid == PaidOnline.PROVINCIAL_PORTAL:
                channel = PaymentChannel.GATEWAY
            elif self.pay_rng.random() < 0.15:
                channel = PaymentChannel.COUNTER_POS
            else:
                channel = PaymentChannel.COUNTER_CASH
            online = channel not in COUNTER_CHANNELS
            by = PAYMENT_SYSTEM if online else counter
            self.check(at)
            life.confirm_payment(
                at,
                d["fee"],
                actor=by,
                channel=channel,
                verified_by=VerifiedBy.IPN if online else "",
            )

        late = rng.random() < 0.11
        supplement = rng.random() < 0.12
        withdraw = rng.random() < 0.02
        steps = d["steps"]
        work_steps = [i for i in range(len(steps)) if not _is_return_step(steps, i)]
        # The long step (appraisal) is where supplements, apologies and delays happen.
        main = max(work_steps, key=lambda i: steps[i].duration_hours)
        withdraw_at_step = rng.choice(work_steps) if withdraw else None
        # A same-day limit (chứng thực) leaves less than a working day when the dossier came
        # in the afternoon: the steps are then done in the time that is left, as clerks do.
        total = sum(float(steps[i].duration_hours) for i in work_steps) or 1.0
        left = timing.paused_working_seconds(d["settling"], at, life.values["due_at"]) / 3600
        pace = min(1.0, 0.95 * left / total) if left > 0 else 1.0

        for i in work_steps:
            step = steps[i]
            agency = self.step_agency(plan, step)
            actor = self.user(agency, step.role)
            hours = float(step.duration_hours) * pace
            if late and i == main:
                factor = rng.uniform(1.5, 3.0)
            elif i == 0:
                factor = rng.uniform(0.1, 1.1)  # the counter hands over within its slot
            else:
                factor = rng.betavariate(2.0, 2.6)
            if i == withdraw_at_step:
                at = self.work(agency, at, hours * factor * 0.5)
                self.withdraw(plan, at)
                return
            if i == main and supplement and d["supplement_count"] == 0:
                ask = self.work(agency, at, hours * factor * rng.uniform(0.1, 0.5))
                at = self.supplement(plan, ask, agency, actor, step.role)
                hours *= 1 - rng.uniform(0.1, 0.5)
            finish = self.work(agency, at, hours * factor)
            if i == main and late and rng.random() < 0.4:
                self.apologize(plan, at, finish)
            if i == work_steps[-1]:
                self.approve(plan, finish, actor, step.role, agency, i)
                break
            self.forward(plan, finish, actor, step.role, agency, i)
            at = finish
        self.deliver(plan)

    def forward(
        self, plan: Plan, at: dt.datetime, actor: User, role: str, agency: Agency, index: int
    ) -> None:
        self.check(at)
        plan.life.forward(at, Actor(actor, role, agency))

    def approve(
        self, plan: Plan, at: dt.datetime, actor: User, role: str, agency: Agency, index: int
    ) -> None:
        self.check(at)
        plan.life.approve(at, Actor(actor, role, agency), note="Đã giải quyết, có kết quả.")

    def deliver(self, plan: Plan) -> None:
        """Electronic result, return at the counter / by post / online, then the rating."""
        rng, d, life = self.rng, plan.d, plan.life
        at = d["finished_at"]
        settling, receiving = d["settling"], d["receiving"]
        electronic = rng.random() < (0.7 if d["channel"] == Channel.ONLINE else 0.35)
        if electronic:
            at = at + dt.timedelta(minutes=rng.randint(1, 30))
            self.check(at)
            life.attach_result(
                at, self.staff(settling, "leader"), data={"attachment": None, "history": True}
            )
        step = d["current_step"]  # the return step, if the process has one
        if electronic and d["channel"] == Channel.ONLINE:
            method, ret = "online", self.work(receiving, at, rng.uniform(0.05, 1.0))
        else:
            method = "post" if d["channel"] == Channel.POST else "counter"
            span = float(step.duration_hours) if step is not None else 4.0
            # Applicants collect paper results when they can: often days later.
            ret = self.work(
                receiving,
                at,
                span * rng.uniform(0.05, 1.0)
                + (rng.expovariate(1 / 9) if rng.random() < 0.4 else 0),
            )
        self.check(ret)
        life.return_result(ret, self.staff(receiving, "counter"), method=method)
        if d["owner"] is not None and rng.random() < 0.6:
            rating = rng.choices([1, 0, -1], weights=[85, 11, 4])[0]
            at = ret + dt.timedelta(hours=rng.uniform(0.1, 72))
            if at > self.now:
                return
            life.rate(at, rating, self.applicant(plan), criteria={})

    def supplement(
        self, plan: Plan, ask: dt.datetime, agency: Agency, actor: User, role: str
    ) -> dt.datetime:
        """Request at `ask`, the applicant supplies later; returns the moment work resumes."""
        rng, d, life = self.rng, plan.d, plan.life
        self.check(ask)
        reason = rng.choice(SUPPLEMENT_REASONS)
        life.request_supplement(
            ask, reason, Actor(actor, role, agency), missing=d["components"][:1]
        )
        back = ask + dt.timedelta(hours=rng.uniform(3, 24 * 12))
        if d["owner"] is not None:
            by = self.applicant(plan)
        else:
            by = self.staff(d["receiving"], "counter")
            back = self.working_moment(d["receiving"], back.date())
            cal = get_calendar(d["receiving"])
            while not cal.is_working_day(back) or back <= ask:
                back = self.working_moment(d["receiving"], back.date() + dt.timedelta(days=1))
        self.check(back)
        paper = by.role != APPLICANT
        life.supplement(back, by, note="Bổ sung bản giấy" if paper else "", files=0 if paper else 1)
        return back

    def apologize(self, plan, start, finish) -> None:
        """A leader apologizes before the deadline passes with a new, later date (Mẫu 04)."""
        rng, d, life = self.rng, plan.d, plan.life
        due = d["due_at"]
        if d["apology_count"] or finish <= due:
            return
        at = max(start + dt.timedelta(minutes=5), due - dt.timedelta(hours=rng.uniform(26, 80)))
        # The services' own precondition (the regime's minimum lead, the apology limit).
        if life.apology_refusal(at) is not None:
            return
        self.check(at)
        settling = d["settling"]
        new_due = get_calendar(settling).add(due, rng.randint(2, 6), "working_days")
        life.apologize(at, new_due, "Hồ sơ cần xác minh thêm.", self.staff(settling, "leader"))

    def withdraw(self, plan, at) -> None:
        rng, d, life = self.rng, plan.d, plan.life
        reason = rng.choice(WITHDRAW_REASONS)
        receiving = d["receiving"]
        by = self.applicant(plan) if d["owner"] is not None else self.staff(receiving, "counter")
        self.check(at)
        life.request_withdrawal(at, reason, by)
        at = self.work(receiving, at, rng.uniform(0.1, 1.0))
        self.check(at)
        life.stop(at, "Dừng xử lý theo yêu cầu rút hồ sơ.", self.staff(receiving, "counter"))


# ---------------------------------------------------------------------- writing


def _assign_codes(plans: list[Plan]) -> dict[tuple[int, dt.date], int]:
    """Number dossiers per (receiving agency, local day of submission) in order of
    submission, with the one code rule (motcua.dossiers.codes)."""
    existing = {
        (row.agency_id, row.day): row.last
        for row in DailySequence.objects.filter(agency__in={pl.d["receiving"] for pl in plans})
    }
    counters: dict[tuple[int, dt.date], int] = defaultdict(int, existing)
    for pl in sorted(plans, key=lambda pl: pl.d["submitted_at"]):
        agency = pl.d["receiving"]
        day = code_day(pl.d["submitted_at"])
        counters[(agency.pk, day)] += 1
        code = code_format(agency.code, day, counters[(agency.pk, day)])
        pl.d["code"] = code
        for e in pl.events:
            if e["action"] in (Action.SUBMIT, Action.INTAKE, Action.RECEIVE):
                e["data"]["code"] = code
    return counters


def _assign_payments(plans: list[Plan], rng: random.Random) -> None:
    """Give each settlement its reference in the live formats (payments.history), once the
    dossier's code is known, and keep what its Payment row needs: the obligation it pays
    (the seq of the request before it), the channel, the amount, the moments."""
    for pl in plans:
        requested: dict[str, Any] | None = None
        past = []
        for e in pl.events:
            if e["action"] == Action.REQUEST_PAYMENT:
                requested = e
            elif e["action"] == Action.CONFIRM_PAYMENT and requested is not None:
                data = e["data"]
                ref = history_reference(
                    data["channel"],
                    code=pl.d.get("code") or "",
                    obligation=requested["seq"],
                    rng=rng,
                )
                data["reference"] = ref
                if "receipt_number" in data:
                    data["receipt_number"] = ref
                past.append((e, requested))
        pl.d["payments"] = past


def _past_payments(pl: Plan, dossier_id: int) -> list[PastPayment]:
    return [
        PastPayment(
            dossier_id=dossier_id,
            obligation=requested["seq"],
            event_seq=e["seq"],
            channel=e["data"]["channel"],
            amount_vnd=e["data"]["amount_vnd"],
            reference=e["data"]["reference"],
            requested_at=requested["at"],
            paid_at=e["at"],
            officer_id=_pk(e["actor"]),
        )
        for e, requested in pl.d.get("payments", ())
    ]


def _assign_books(plans: list[Plan]) -> dict[tuple[int, int, str], int]:
    """Number the numbered acts (receipts, refusals, supplement requests, apologies, stop
    notices) in the issuing agency's book of the year, in order of time, as the services
    do (dossiers.services._book_number)."""
    acts = []
    for pl in plans:
        for e in pl.events:
            book = BOOK_OF_ACTION.get(e["action"])
            if book is not None:
                issuer = e["actor_agency"] or pl.d["receiving"]
                acts.append((e["at"], issuer.pk, str(book), e))
    keys = {(agency, at.astimezone(VN).year, name) for at, agency, name, _e in acts}
    existing = {
        (row.agency_id, row.year, row.book): row.last
        for row in BookSequence.objects.filter(agency__in={k[0] for k in keys})
    }
    counters: dict[tuple[int, int, str], int] = defaultdict(int, existing)
    for at, agency, name, e in sorted(acts, key=lambda a: (a[0], a[1], a[2])):
        key = (agency, at.astimezone(VN).year, name)
        counters[key] += 1
        e["data"]["number"] = counters[key]
    return counters


_DOSSIER_FIELDS = (
    "channel", "status", "applicant_name", "applicant_id_number", "applicant_phone",
    "applicant_email", "applicant_address", "submitted_at", "received_at", "due_at",
    "original_due_at", "finished_at", "returned_at", "stopped_at", "paused_at",
    "paused_seconds", "supplement_count", "apology_count", "current_step",
    "current_step_started_at", "current_step_due_at", "fee_due_vnd", "fee_paid_vnd",
    "fee_assessment",
    "paid_online", "electronic_result", "digitized", "reused", "rating", "result_note",
    "refusal_reason",
)  # fmt: skip


def _write(plans: list[Plan], rng: random.Random, pay_rng: random.Random) -> None:
    dossiers = []
    chained = []
    for pl in plans:
        d = pl.d
        # The events as written, chained (dossiers.chain) before the dossier's row, which
        # carries the head.
        rows = [
            (
                e["seq"], e["action"], e["at"], _pk(e["actor"]), e["actor_role"],
                _pk(e["actor_agency"]), e["from_status"], e["to_status"], e["reason"], e["data"],
            )
            for e in pl.events
        ]  # fmt: skip
        hashes = chain_rows(rows)
        chained.append((rows, hashes))
        dossiers.append(
            Dossier(
                code=d.get("code"),
                secret="".join(rng.choice(SECRET_ALPHABET) for _ in range(8)),
                procedure=d["procedure"],
                procedure_version=d["version"],
                version=len(pl.events),
                rule_set=d["rule_set"],
                owner=d["owner"],
                request_summary=d["version"].name,
                search_key=search_key_for(
                    d["applicant_name"], d["procedure"].code, d["version"].name
                ),
                receiving_agency=d["receiving"],
                settling_agency=d["settling"],
                paper_result_required=d["version"].paper_result_required,
                chain_head=hashes[-1] if hashes else "",
                **{k: d[k] for k in _DOSSIER_FIELDS},
            )
        )
    Dossier.objects.bulk_create(dossiers, batch_size=BATCH)
    events: list[tuple[Any, ...]] = []
    handovers, pauses, received = [], [], []
    past: list[PastPayment] = []
    for pl, dossier, (rows, hashes) in zip(plans, dossiers, chained, strict=True):
        d = pl.d
        past.extend(_past_payments(pl, dossier.pk))
        if d.get("code"):
            # What was handed in: the components the procedure requires (no case declared),
            # counted at the counter as the catalog prescribes, or one file each online.
            online = d["channel"] == Channel.ONLINE
            for c in d["needed"]:
                originals = 0 if online else (c.original_count or (0 if c.copy_count else 1))
                copies = 0 if online else c.copy_count
                received.append(
                    (
                        dossier.pk, c.pk,
                        ReceivedSource.ONLINE if online else ReceivedSource.COUNTER,
                        originals, copies, 1 if online else 0, d["submitted_at"],
                    )
                )  # fmt: skip
        events.extend((dossier.pk, *row, h) for row, h in zip(rows, hashes, strict=True))
        for h in pl.handovers:
            handovers.append(
                (
                    dossier.pk, h["step"].pk, h["agency"].pk, h["started_at"], h["due_at"],
                    h["finished_at"], _pk(h["finished_by"]), h["outcome"], h["note"],
                )
            )  # fmt: skip
        for pa in pl.pauses:
            pauses.append(
                (
                    dossier.pk, pa["started_at"], pa["ended_at"], pa["reason"],
                    pa["missing_components"], pa["working_seconds"],
                )
            )  # fmt: skip
    insert_rows(DossierEvent, EVENT_COLUMNS, events)
    insert_rows(Handover, HANDOVER_COLUMNS, handovers)
    insert_rows(Pause, PAUSE_COLUMNS, pauses)
    insert_rows(ReceivedComponent, RECEIVED_COLUMNS, received)
    history_payments_write(past, pay_rng)


EVENT_COLUMNS = ("dossier", *ROW_FIELDS, "hash")
HANDOVER_COLUMNS = (
    "dossier", "step", "agency", "started_at", "due_at", "finished_at", "finished_by",
    "outcome", "note",
)  # fmt: skip
RECEIVED_COLUMNS = (
    "dossier", "component", "source", "originals", "copies", "files", "at",
)  # fmt: skip
PAUSE_COLUMNS = (
    "dossier", "started_at", "ended_at", "reason", "missing_components", "working_seconds",
)  # fmt: skip


def _pk(obj) -> int | None:
    return None if obj is None else obj.pk


def history_generate(
    p: Province, *, count: int, seed: int = 2025, now: dt.datetime | None = None
) -> Counter:
    """Synthesize `count` dossiers received over the year ending `now`; returns statuses."""
    now = now or timezone.now()
    synth = Synthesizer(p, seed=seed, now=now)
    plans = [synth.plan_one() for _ in range(count)]
    counters = _assign_codes(plans)
    _assign_payments(plans, synth.pay_rng)
    books = _assign_books(plans)
    with transaction.atomic():
        for start in range(0, len(plans), BATCH):
            _write(plans[start : start + BATCH], synth.rng, synth.pay_rng)
        existing = {
            (row.agency_id, row.day): row
            for row in DailySequence.objects.filter(agency__in={pl.d["receiving"] for pl in plans})
        }
        new, changed = [], []
        for (agency_id, day), last in counters.items():
            row = existing.get((agency_id, day))
            if row is None:
                new.append(DailySequence(agency_id=agency_id, day=day, last=last))
            elif row.last != last:
                row.last = last
                changed.append(row)
        DailySequence.objects.bulk_create(new, batch_size=BATCH)
        DailySequence.objects.bulk_update(changed, ["last"], batch_size=BATCH)
        kept = {
            (row.agency_id, row.year, row.book): row
            for row in BookSequence.objects.filter(agency__in={k[0] for k in books})
        }
        new_books, changed_books = [], []
        for (agency_id, year, book), last in books.items():
            book_row = kept.get((agency_id, year, book))
            if book_row is None:
                new_books.append(BookSequence(agency_id=agency_id, year=year, book=book, last=last))
            elif book_row.last != last:
                book_row.last = last
                changed_books.append(book_row)
        BookSequence.objects.bulk_create(new_books, batch_size=BATCH)
        BookSequence.objects.bulk_update(changed_books, ["last"], batch_size=BATCH)
    return Counter(pl.d["status"] for pl in plans)


def applicant_kind(a) -> str:
    return ApplicantKind(a.kind).label
