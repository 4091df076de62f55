import pytest

from motcua.integration import outbox


class Recorder:
    """A destination for the tests: records what it was handed; `plan` says, per dedup id,
    what to raise (a list consumed one attempt at a time)."""

    name = "test_dest"

    def __init__(self):
        self.got = []
        self.plan = {}

    def __call__(self, message):
        todo = self.plan.get(message.dedup_id)
        if todo:
            exc = todo.pop(0)
            if exc is not None:
                raise exc
        self.got.append(message.dedup_id)


@pytest.fixture
def dest():
    rec = Recorder()
    outbox.destination(rec.name, max_attempts=3, backoff=(10.0, 100.0), timeout=1.0)(rec)
    yield rec
    outbox.unregister(rec.name)


@pytest.fixture(scope="session")
def receiver_process():
    from .receiver import start

    rec = start()
    yield rec
    rec.stop()


@pytest.fixture
def receiver(receiver_process, settings):
    """motcua pointed at the receiving service, which is up at the start of each test."""
    from motcua.integration import national

    for k, v in receiver_process.settings().items():
        setattr(settings, k, v)
    receiver_process.control(mode="up", delay=0, reset=True)
    national.reset_session()
    yield receiver_process
    receiver_process.control(mode="up", delay=0)
    national.reset_session()
