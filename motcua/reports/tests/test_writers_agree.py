"""Property: the CSV importer and the services write the same dossier from the same
events. Random legal rows (hypothesis) are imported; each imported dossier's event log is
then played through the services (motcua.dossiers.tests.replaying) and the two dossiers —
row, events, control sheet, pauses, verdict, code shape — must be equal."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import vn
from motcua.dossiers.tests.replaying import replay, snapshot
from motcua.reports.importer import COLUMNS, import_dossiers

START = vn(2026, 3, 2, 7, 0)
NOW = vn(2026, 9, 1, 0, 0)
# Legacy numbers count down from 9999: the services' own receipts (the replays) continue
# after the highest one, so the two never collide.
SERIAL = itertools.count(9999, -1)


@st.composite
def rows(draw, world):
    status = draw(st.integers(1, 10), label="status")
    # A counter intake is received (or refused) at once through the services: a counter
    # dossier that was never received exists only online.
    channel = draw(st.sampled_from([2, 2, 1]), label="channel")
    minutes = lambda hi: dt.timedelta(minutes=draw(st.integers(1, hi)))  # noqa: E731
    submitted = START + dt.timedelta(minutes=draw(st.integers(0, 60 * 24 * 30)))
    if status == 1:
        channel = 2
    received = None
    early = status in (7, 8) and draw(st.booleans(), label="withdrawn before receipt")
    if early:
        channel = 2
    if status not in (1, 3) and not early:
        received = submitted if channel == 1 else submitted + minutes(60 * 30)
    # The services take the fee from the procedure version (8,000 đồng in the world); a
    # legacy row states it, and states the same here.
    fee = 8000
    requests, completions = [], []
    last = received
    if received is not None and status not in (2,):
        for _ in range(draw(st.integers(0, 2), label="supplements")):
            ask = last + minutes(60 * 24 * 3)
            requests.append(ask)
            back = ask + minutes(60 * 24 * 6)
            completions.append(back)
            last = back
        if status == 5 and not requests:
            requests.append(last + minutes(60 * 24 * 3))
        if status in (5, 7, 8) and requests and (status == 5 or draw(st.booleans())):
            last = requests[-1]
            completions = completions[:-1]
    finished = returned = None
    if status in (3, 7, 8, 9, 10):
        finished = (last or submitted) + minutes(60 * 24 * 8)
    if status == 3 and channel == 1:
        finished = submitted  # refused at the counter, at once
    if status == 10:
        returned = finished + minutes(60 * 24 * 3)
    paid = draw(st.sampled_from([0, 1, 2]), label="paid online") if fee else 0
    electronic = status in (4, 9, 10) and draw(st.booleans(), label="e-result")
    # Through the services only an account rates (a counter dossier has none).
    rating = draw(st.sampled_from(["", "1", "0", "-1"])) if status == 10 and channel == 2 else ""
    day = submitted.astimezone(vn(2026, 1, 1).tzinfo)  # the code is given at submission
    code = f"{world.a.center.code}-{day:%y%m%d}-{next(SERIAL):04d}"
    iso = lambda m: "" if m is None else m.isoformat()  # noqa: E731
    return {
        "code": code,
        "procedure_code": world.procedure.code,
        "receiving_agency_code": world.a.center.code,
        "settling_agency_code": world.a.settling.code,
        "channel": str(channel),
        "submitted_at": iso(submitted),
        "received_at": iso(received),
        "due_at": "",
        "finished_at": iso(finished),
        "returned_at": iso(returned),
        "status": str(status),
        "supplement_requested_at": ";".join(iso(m) for m in requests),
        "supplement_completed_at": ";".join(iso(m) for m in completions),
        "fee_vnd": str(fee),
        "paid_online": str(paid),
        "electronic_result": str(int(electronic)),
        "digitized": "1",
        "reused": "0",
        "rating": rating,
    }


def csv_of(row: dict) -> bytes:
    return (",".join(COLUMNS) + "\n" + ",".join(row[c] for c in COLUMNS) + "\n").encode()


def actor_of(world):
    def pick(e, d):
        if e.actor_role == "payment":  # the payment system settled it: no user
            return None
        if e.actor_role == "applicant":
            # A counter dossier has no account: the counter records the online payment.
            return world.citizen if d is None or d.owner_id else world.a.staff["c:counter"]
        if d is None or e.action not in ("forward", "approve"):
            tag = "c" if e.actor_agency_id == world.a.center.pk else "s"
            return world.a.staff[f"{tag}:{e.actor_role}"]
        step = d.current_step
        tag = "c" if step.agency_role == "receiving" else "s"
        return world.a.staff[f"{tag}:{step.role}"]

    return pick


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_an_imported_dossier_equals_its_life_through_the_services(world, data, settings):
    settings.MOTCUA_MAX_SUPPLEMENT_REQUESTS = 2  # legacy data may hold two requests
    land = data.draw(st.booleans(), label="payment pauses the clock")
    world.version.payment_pauses_clock = land
    world.version.save(update_fields=["payment_pauses_clock"])
    row = data.draw(rows(world))
    result = import_dossiers(csv_of(row), refresh=False)
    assert result.errors == [] and result.imported == 1, result.errors
    imported = Dossier.objects.get(pk=result.dossier_ids[0])
    event(f"status {imported.status}, {imported.supplement_count} supplement(s)")
    native = replay(imported, actor_of(world))
    assert snapshot(imported, NOW) == snapshot(native, NOW)
