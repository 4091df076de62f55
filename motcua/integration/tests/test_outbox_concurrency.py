"""Workers claiming side by side on PostgreSQL: real connections, SKIP LOCKED."""

import threading

import pytest
from django.db import connection, connections, transaction

from motcua.integration import outbox
from motcua.integration.models import OutboxMessage

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs SKIP LOCKED"),
]


def test_workers_claiming_at_once_take_disjoint_messages_and_keep_key_order(dest, settings):
    settings.MOTCUA_OUTBOX_KICK = False  # no delivery in the committing thread
    with transaction.atomic():
        for i in range(60):
            outbox.enqueue(destination=dest.name, key=f"K{i % 6}", dedup_id=f"m{i}", payload={})
    got: list[list[str]] = [[] for _ in range(4)]
    barrier = threading.Barrier(4)

    def worker(n):
        try:
            barrier.wait()
            while True:
                b = outbox.claim(names=[dest.name], limit=5)
                if not b.messages:
                    if not OutboxMessage.objects.exclude(state="delivered").exists():
                        return
                    continue
                got[n].extend(m.dedup_id for m in b.messages)
                outbox.deliver_batch(b)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    claimed = [d for g in got for d in g]
    assert sorted(claimed) == sorted(f"m{i}" for i in range(60))  # each once
    assert OutboxMessage.objects.filter(state="delivered").count() == 60
    # per key, delivery order is id order
    for k in range(6):
        mine = [d for d in dest.got if int(d[1:]) % 6 == k]
        assert mine == [f"m{i}" for i in range(k, 60, 6)]
