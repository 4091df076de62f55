"""Workers elsewhere: with tasks not eager (MOTCUA_TASKS_EAGER=0), a receipt's form is
rendered and stored by a real `celery -A motcua worker` in another process, on the same
database and the same storage, through Redis.

Needs Redis (MOTCUA_TEST_REDIS_URL, default db 11) and a database the worker can open
(PostgreSQL: `make test-postgres`, CI); skipped otherwise, saying why.
"""

import hashlib
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings

from motcua import celery_app
from motcua.core.tests.elsewhere import (
    PYTHON,
    REDIS_URL,
    ROOT,
    SQLITE_IN_MEMORY,
    needs_redis,
    process_env,
    shared_database_url,
)
from motcua.documents.enums import DocumentKind
from motcua.documents.models import DossierDocument
from motcua.dossiers import services as s
from motcua.dossiers.enums import Status
from motcua.dossiers.tests.conftest import T0, advance
from motcua.dossiers.tests.factories import make_world

pytestmark = [
    pytest.mark.redis,
    needs_redis,
    pytest.mark.django_db(transaction=True),
]

WAIT_SECONDS = 90  # an upper bound for a slow machine, not a measurement


class Worker:
    """`celery -A motcua worker` on a queue of its own; its output is kept for the report."""

    def __init__(self, *, queue: str, env: dict[str, str]) -> None:
        self.queue = queue
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "celery", "-A", "motcua", "worker", "-Q", queue,
             "-n", f"{queue}@%h", "--pool", "solo", "-l", "info",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)
            if " ready." in line:
                self.ready.set()
        self.ready.set()  # ended: nobody waits for it any more

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def stop(self) -> int:
        """A warm shutdown (SIGTERM): the task in hand finishes, then the worker exits."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


@pytest.fixture
def worker(monkeypatch, settings):
    url = shared_database_url()
    if url is None:
        pytest.skip(SQLITE_IN_MEMORY)
    queue = f"motcua-test-{uuid.uuid4().hex[:12]}"
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    w = Worker(
        queue=queue,
        env=process_env(
            DATABASE_URL=url,
            MOTCUA_TASKS_EAGER="0",
            MOTCUA_BROKER_URL=REDIS_URL,
            MOTCUA_MEDIA_ROOT=str(media),
            MOTCUA_VAR_DIR=str(media.parent / "worker-var"),
        ),
    )
    # This process sends as a web server with MOTCUA_TASKS_EAGER=0 would: to the broker,
    # on the worker's queue (configuration of the product's app, not a stand-in for it).
    settings.CELERY_TASK_ALWAYS_EAGER = False
    conf = celery_app.conf
    saved = {k: conf[k] for k in ("task_always_eager", "broker_url", "task_default_queue")}
    conf.update(task_always_eager=False, broker_url=REDIS_URL, task_default_queue=queue)
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    try:
        assert w.ready.wait(WAIT_SECONDS) and w.proc.poll() is None, w.output
        yield w
    finally:
        code = w.stop()
        conf.update(saved)
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        r = redis.Redis.from_url(REDIS_URL)
        r.delete(*(k for k in r.keys(f"*{queue}*")))
        r.close()
        assert code == 0, w.output


def test_a_worker_in_another_process_stores_the_receipt(worker):
    # Given a submitted dossier
    world = make_world()
    d = advance(world, Status.SUBMITTED, at=T0)
    # When the counter receives it (the transaction commits; the form is queued)
    d = s.dossier_receive(dossier_id=d.pk, actor=world.a.staff["c:counter"])
    event = d.events.get(action="receive")
    # Then the worker stores the receipt: its row, and its file in the shared storage
    deadline = time.monotonic() + WAIT_SECONDS
    doc = None
    while doc is None and time.monotonic() < deadline and worker.proc.poll() is None:
        doc = DossierDocument.objects.filter(event=event).first()
        if doc is None:
            time.sleep(0.2)
    assert doc is not None, worker.output
    assert (doc.dossier_id, doc.kind) == (d.pk, DocumentKind.RECEIPT)
    data = (Path(settings.MEDIA_ROOT) / doc.file.name).read_bytes()
    assert data.startswith(b"%PDF-")
    assert (hashlib.sha256(data).hexdigest(), len(data)) == (doc.sha256, doc.size)
    # ... and it was the worker, through the broker: the listener ran there for this event.
    out = worker.output
    assert "Task dossiers.run_after_commit_listener[" in out and "] succeeded in" in out, out
