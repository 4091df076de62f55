import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.core.errors import IllegalTransition
from motcua.core.models import AuditEntry
from motcua.integration import outbox
from motcua.integration.models import OutboxMessage, OutboxState
from motcua.integration.services import outbox_message_replay, outbox_replay_dead

pytestmark = pytest.mark.django_db


def put(dest, dedup_id, key="K1", payload=None, **kw):
    with transaction.atomic():
        return outbox.enqueue(
            destination=dest.name, key=key, dedup_id=dedup_id, payload=payload or {}, **kw
        )


def run_once(**kw):
    return outbox.deliver_batch(outbox.claim(names=["test_dest"], **kw))


@pytest.mark.django_db(transaction=True)
def test_enqueue_outside_a_transaction_is_refused(dest):
    with pytest.raises(AssertionError, match="inside the transaction"):
        outbox.enqueue(destination=dest.name, key="K", dedup_id="a", payload={})
    assert OutboxMessage.objects.count() == 0


def test_enqueue_to_an_unknown_destination_is_refused(dest):
    with (
        pytest.raises(ValueError, match="unknown outbox destination 'nowhere'"),
        transaction.atomic(),
    ):
        outbox.enqueue(destination="nowhere", key="K", dedup_id="a", payload={})
    assert OutboxMessage.objects.count() == 0


def test_dedup_id_is_unique_per_destination(dest):
    put(dest, "a")
    with pytest.raises(IntegrityError):
        put(dest, "a", key="other")
    assert OutboxMessage.objects.count() == 1


def test_a_rolled_back_transaction_sends_nothing(dest, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox.enqueue(destination=dest.name, key="K", dedup_id="a", payload={})
        raise RuntimeError("the event failed")
    assert callbacks == []
    assert OutboxMessage.objects.count() == 0
    assert dest.got == []


def test_commit_kicks_the_delivery_once_per_transaction(dest, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        outbox.enqueue(destination=dest.name, key="K", dedup_id="a", payload={"n": 1})
        outbox.enqueue(destination=dest.name, key="K", dedup_id="b", payload={"n": 2})
    assert len(callbacks) == 1
    # Celery eager (the tests' default): the kick delivered both, in order.
    assert dest.got == ["a", "b"]
    rows = list(OutboxMessage.objects.order_by("id").values_list("state", "attempts"))
    assert rows == [("delivered", 1), ("delivered", 1)]
    assert OutboxMessage.objects.filter(delivered_at__isnull=True).count() == 0


def test_retry_backs_off_then_dead_letters_after_max_attempts(dest, monkeypatch):
    monkeypatch.setattr(outbox.random, "random", lambda: 1.0)
    put(dest, "a")
    dest.plan["a"] = [outbox.Retry("503 down")] * 3
    t0 = timezone.now()
    b = run_once(now=t0)
    assert (b.retried, b.delivered, b.dead) == (1, 0, 0)
    m = OutboxMessage.objects.get()
    assert (m.state, m.attempts, m.last_error) == ("pending", 1, "503 down")
    # first retry: min(100, 10 × 2^0) = 10 s, jitter 1.0 → the full 10 s
    assert (
        t0 + dt.timedelta(seconds=9.9)
        < m.next_attempt_at
        < timezone.now() + dt.timedelta(seconds=10.1)
    )
    # not due yet
    assert run_once(now=t0 + dt.timedelta(seconds=5)).messages == []
    b = run_once(now=t0 + dt.timedelta(seconds=11))
    m.refresh_from_db()
    assert (b.retried, m.state, m.attempts) == (1, "pending", 2)
    b = run_once(now=t0 + dt.timedelta(seconds=100))
    m.refresh_from_db()
    assert (b.dead, m.state, m.attempts) == (1, "dead", 3)
    assert m.last_error == "503 down (sau 3 lần gửi)"
    assert dest.got == []


def test_backoff_is_exponential_capped_with_equal_jitter(dest):
    d = outbox.get_destination(dest.name)
    assert [d.delay(n, rng=lambda: 1.0) for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 80, 100]
    assert [d.delay(n, rng=lambda: 0.0) for n in (1, 2, 3, 4, 5)] == [5, 10, 20, 40, 50]


def test_retry_after_given_by_the_destination(dest):
    put(dest, "a")
    dest.plan["a"] = [outbox.Retry("429", after=300)]
    t0 = timezone.now()
    run_once(now=t0)
    m = OutboxMessage.objects.get()
    assert t0 + dt.timedelta(seconds=299) < m.next_attempt_at < t0 + dt.timedelta(seconds=310)


def test_reject_dead_letters_at_once(dest):
    put(dest, "a")
    dest.plan["a"] = [outbox.Reject("400 thiếu MaHoSo")]
    b = run_once()
    m = OutboxMessage.objects.get()
    assert (b.dead, m.state, m.attempts, m.last_error) == (1, "dead", 1, "400 thiếu MaHoSo")


def test_an_unexpected_exception_is_a_retry(dest):
    put(dest, "a")
    dest.plan["a"] = [KeyError("boom")]
    b = run_once()
    m = OutboxMessage.objects.get()
    assert (b.retried, m.state, m.last_error) == (1, "pending", "KeyError: 'boom'")


def test_order_per_key_a_failing_message_holds_back_its_key_only(dest):
    put(dest, "a1", key="A")
    put(dest, "a2", key="A")
    put(dest, "b1", key="B")
    dest.plan["a1"] = [outbox.Retry("down"), outbox.Reject("never")]
    t0 = timezone.now()
    b = run_once(now=t0)
    # one head per key in a claim: a1 and b1, never a2 before a1
    assert sorted(m.dedup_id for m in b.messages) == ["a1", "b1"]
    assert dest.got == ["b1"]
    # a1 waits for its back-off: a2 stays behind it
    assert run_once(now=t0 + dt.timedelta(seconds=1)).messages == []
    # a1 dies: a2 goes
    run_once(now=t0 + dt.timedelta(seconds=60))
    assert OutboxMessage.objects.get(dedup_id="a1").state == "dead"
    run_once(now=t0 + dt.timedelta(seconds=60))
    assert dest.got == ["b1", "a2"]


def test_a_claimed_message_holds_back_its_key(dest):
    put(dest, "a1", key="A")
    put(dest, "a2", key="A")
    first = outbox.claim(names=[dest.name])
    assert [m.dedup_id for m in first.messages] == ["a1"]
    assert outbox.claim(names=[dest.name]).messages == []


def test_a_lease_that_runs_out_lets_another_worker_take_the_message(dest):
    put(dest, "a")
    t0 = timezone.now()
    dead_worker = outbox.claim(names=[dest.name], now=t0, lease=60)
    assert [m.dedup_id for m in dead_worker.messages] == ["a"]
    # within the lease nobody else takes it
    assert outbox.claim(names=[dest.name], now=t0 + dt.timedelta(seconds=59)).messages == []
    second = outbox.claim(names=[dest.name], now=t0 + dt.timedelta(seconds=61))
    assert [(m.dedup_id, m.attempts) for m in second.messages] == [("a", 2)]
    outbox.deliver_batch(second)
    # the first worker wakes up: its claim no longer holds the message, it marks nothing
    outbox.deliver_batch(dead_worker)
    assert dead_worker.delivered == 0
    m = OutboxMessage.objects.get()
    assert (m.state, m.attempts, m.claim) == ("delivered", 2, second.token)
    assert dest.got == ["a", "a"]  # twice: the receiver drops the repeat by dedup id


def test_messages_the_lease_cannot_cover_are_put_back(dest, settings):
    settings.MOTCUA_OUTBOX_LEASE_SECONDS = 2.5  # the destination's timeout is 1 s
    for i in range(3):
        put(dest, f"m{i}", key=f"K{i}")
    ticks = iter([0.0, 0.0, 1.0, 2.0, 2.0])
    b = outbox.deliver_batch(outbox.claim(names=[dest.name]), clock=lambda: next(ticks))
    assert (b.delivered, b.released) == (2, 1)
    m = OutboxMessage.objects.get(dedup_id="m2")
    assert (m.state, m.attempts) == ("pending", 0)
    assert dest.got == ["m0", "m1"]


def test_run_delivers_everything_due_in_batches(dest):
    for i in range(7):
        put(dest, f"m{i}", key=f"K{i % 2}")
    totals = outbox.run(names=[dest.name], limit=3)
    assert totals["delivered"] == 7
    assert dest.got == ["m0", "m1", "m2", "m3", "m4", "m5", "m6"]


def test_replay_a_dead_letter(dest, admin_user):
    put(dest, "a")
    dest.plan["a"] = [outbox.Reject("bad")]
    run_once()
    m = OutboxMessage.objects.get()
    outbox_message_replay(actor=admin_user, message_id=m.pk, reason="sửa cấu hình")
    m.refresh_from_db()
    assert (m.state, m.attempts, m.last_error) == ("pending", 0, "bad")
    run_once()
    m.refresh_from_db()
    assert (m.state, m.attempts, m.last_error) == ("delivered", 1, "")
    assert dest.got == ["a"]
    entry = AuditEntry.objects.get(operation="outbox_message_replay")
    assert entry.actor_id == admin_user.pk
    assert entry.before["state"] == "dead" and entry.before["last_error"] == "bad"
    assert entry.after["state"] == "pending" and entry.after["attempts"] == 0
    assert entry.reason == "sửa cấu hình"


def test_replay_refuses_what_is_not_dead(dest, admin_user):
    m = put(dest, "a")
    with pytest.raises(IllegalTransition) as e:
        outbox_message_replay(actor=admin_user, message_id=m.pk)
    assert e.value.code == "outbox_not_dead"
    m.refresh_from_db()
    assert (m.state, m.attempts) == ("pending", 0)
    assert AuditEntry.objects.filter(operation="outbox_message_replay").count() == 0


def test_replay_all_dead_letters_of_a_destination(dest, admin_user):
    for k in "abc":
        put(dest, k, key=k)
        dest.plan[k] = [outbox.Reject("bad")]
    run_once()
    assert OutboxMessage.objects.filter(state=OutboxState.DEAD).count() == 3
    assert outbox_replay_dead(actor=admin_user, destination=dest.name) == 3
    assert OutboxMessage.objects.filter(state=OutboxState.PENDING, attempts=0).count() == 3
    assert AuditEntry.objects.filter(operation="outbox_message_replay").count() == 3
