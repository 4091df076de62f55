"""A worker killed (SIGKILL) mid-batch: its messages are taken again by another worker once
the lease has run out; nothing is lost and the receiver drops the repeats."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from motcua.dossiers import services as s
from motcua.dossiers.tests.conftest import T0, submit
from motcua.dossiers.tests.factories import make_world
from motcua.integration import national, outbox
from motcua.integration.models import OutboxMessage

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a second process needs it"),
]
ROOT = Path(__file__).resolve().parents[3]
# The national portal's messages (the applicant's e-mail, written with the same events while
# the notification templates are there, is not this test's: a flush elsewhere removes them).
SYNC = OutboxMessage.objects.filter(destination="national_sync")


def database_url() -> str:
    d = connection.settings_dict
    auth = d["USER"] + (f":{d['PASSWORD']}" if d["PASSWORD"] else "")
    return f"postgres://{auth}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"


def test_a_worker_killed_mid_batch_loses_nothing(receiver, settings):
    settings.MOTCUA_OUTBOX_KICK = False  # the worker process delivers, not this one
    w = make_world()
    dossiers = []
    for _ in range(8):
        d = submit(w, T0)
        dossiers.append(s.dossier_receive(dossier_id=d.pk, actor=w.a.staff["c:counter"], at=T0))
    assert SYNC.filter(state="pending").count() == 16
    receiver.control(mode="slow", delay=0.25)
    env = {
        **os.environ,
        **receiver.settings(),
        "DATABASE_URL": database_url(),
        "MOTCUA_OUTBOX_LEASE_SECONDS": "60",
        "MOTCUA_OUTBOX_BATCH": "50",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "sync", "deliver"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while receiver.stats()["accepted"] < 3:
            assert worker.poll() is None, "the worker ended before it was killed"
            assert time.monotonic() < deadline, "the worker delivered nothing"
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.wait(10)
    accepted_by_the_dead = receiver.stats()["accepted"]
    # the killed worker had claimed the eight creations (the receipts wait behind them) and
    # marked none: its batch's outcome is written at the end
    claimed = SYNC.filter(state="delivering")
    assert claimed.count() == 8
    assert set(claimed.values_list("payload__action", flat=True)) == {"submit"}
    assert 3 <= accepted_by_the_dead < 8
    receiver.control(mode="up")
    # within the lease nobody takes them
    assert outbox.claim(names=[national.DESTINATION]).messages == []
    # after it, another worker does, and finishes everything
    later = timezone.now() + dt.timedelta(seconds=61)
    for _ in range(3):
        outbox.deliver_batch(outbox.claim(names=[national.DESTINATION], now=later))
    assert SYNC.exclude(state="delivered").count() == 0
    stats = receiver.stats()
    assert stats["accepted"] == 16
    assert stats["duplicates"] == accepted_by_the_dead
    for d in dossiers:
        assert receiver.dossier(d.code)["history"] == [1, 2]
    assert set(SYNC.filter(payload__action="submit").values_list("attempts", flat=True)) == {2}
