"""The after-commit queueing of the outbox delivery is coalesced (issue 14, the hot path):
a commit queues no task while one is queued and not yet started, and nothing is lost."""

import pytest
from django.core.cache import cache
from django.db import transaction

from motcua.integration import outbox, tasks
from motcua.integration.models import OutboxMessage, OutboxState

# Real commits: the kick runs on commit, once per transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker(monkeypatch, settings):
    """Celery's broker, the boundary: `deliver.delay()` puts a task on this list, which the
    test's "worker" runs later by calling the task itself."""
    settings.MOTCUA_OUTBOX_KICK = True
    settings.MOTCUA_OUTBOX_KICK_TTL_SECONDS = 60
    queued: list[tuple] = []
    monkeypatch.setattr(tasks.deliver, "delay", lambda *a: queued.append(a))
    cache.delete(outbox.KICK_MARK)
    yield queued
    cache.delete(outbox.KICK_MARK)


def commit(dest, *dedup_ids, key="K"):
    with transaction.atomic():
        for d in dedup_ids:
            outbox.enqueue(destination=dest.name, key=key, dedup_id=d, payload={})


def worker(queued):
    """Run the queued tasks, oldest first, as a worker would."""
    while queued:
        queued.pop(0)
        tasks.deliver()


def test_commits_while_a_task_is_queued_queue_no_other_and_lose_nothing(dest, broker):
    commit(dest, "a")
    commit(dest, "b", "c")
    commit(dest, "d", key="K2")
    assert len(broker) == 1  # three commits, one task
    assert dest.got == []
    worker(broker)
    # All delivered, K's in order (b and c wait for a: a second batch of the same task).
    assert sorted(dest.got) == ["a", "b", "c", "d"]
    assert [d for d in dest.got if d != "d"] == ["a", "b", "c"]
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxState.DELIVERED}


def test_a_commit_after_the_task_started_queues_a_new_one(dest, broker):
    commit(dest, "a")
    worker(broker)
    assert dest.got == ["a"]
    commit(dest, "b")
    assert len(broker) == 1
    worker(broker)
    assert dest.got == ["a", "b"]


def test_a_commit_during_the_task_is_queued_again(dest, broker):
    """The task clears the mark before it claims: a message committed while it delivers
    (after its claim) gets a task of its own."""
    commit(dest, "a")
    broker.pop()
    outbox.kick_started()  # the task has started …
    commit(dest, "b")  # … and this commit comes in meanwhile
    assert len(broker) == 1
    worker(broker)
    assert dest.got == ["a", "b"]


def test_a_failed_queueing_clears_the_mark(dest, monkeypatch, settings):
    settings.MOTCUA_OUTBOX_KICK_TTL_SECONDS = 60
    cache.delete(outbox.KICK_MARK)
    calls = []

    def down(*a):
        calls.append(a)
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.deliver, "delay", down)
    commit(dest, "a")
    commit(dest, "b")
    assert len(calls) == 2  # no mark left behind by the failure: the next commit tries again
    assert dest.got == []  # the beat sweep delivers them
    tasks.deliver()
    assert dest.got == ["a", "b"]


def test_ttl_zero_queues_a_task_per_commit(dest, broker, settings):
    settings.MOTCUA_OUTBOX_KICK_TTL_SECONDS = 0
    for d in ("a", "b", "c"):
        commit(dest, d)
    assert len(broker) == 3


def test_enqueue_many_writes_one_insert_in_order(dest, django_assert_num_queries, settings):
    settings.MOTCUA_OUTBOX_KICK = False
    with transaction.atomic(), django_assert_num_queries(1):
        rows = outbox.enqueue_many(
            [
                outbox.Outgoing(dest.name, "K", "x", {"n": 1}),
                outbox.Outgoing(dest.name, "K", "y", {"n": 2}),
                outbox.Outgoing(dest.name, "L", "z", {"n": 3}),
            ]
        )
    assert [r.dedup_id for r in rows] == ["x", "y", "z"]
    assert rows[0].pk < rows[1].pk < rows[2].pk
    got = list(OutboxMessage.objects.order_by("id").values_list("dedup_id", "key", "payload"))
    assert got == [("x", "K", {"n": 1}), ("y", "K", {"n": 2}), ("z", "L", {"n": 3})]


def test_enqueue_many_checks_every_destination_before_writing(dest):
    with (
        pytest.raises(ValueError, match="unknown outbox destination 'nowhere'"),
        transaction.atomic(),
    ):
        outbox.enqueue_many(
            [outbox.Outgoing(dest.name, "K", "x", {}), outbox.Outgoing("nowhere", "K", "y", {})]
        )
    assert OutboxMessage.objects.count() == 0
