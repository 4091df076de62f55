import pytest

from motcua.dossiers import hooks
from motcua.dossiers import services as s
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Dossier, DossierEvent

from .conftest import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def clean_hooks():
    saved = (list(hooks._IN_TRANSACTION), list(hooks._AFTER_COMMIT))
    yield
    hooks._IN_TRANSACTION[:], hooks._AFTER_COMMIT[:] = saved


def test_in_transaction_listener_failure_rolls_the_transition_back(world, clean_hooks):
    d = advance(world, Status.SUBMITTED)

    def boom(event, dossier):
        raise RuntimeError("aggregate failed")

    hooks.in_transaction(boom)
    with pytest.raises(RuntimeError):
        s.dossier_receive(dossier_id=d.pk, actor=world.a.staff["c:counter"])
    d = Dossier.objects.get(pk=d.pk)
    assert d.status == Status.SUBMITTED and d.received_at is None and d.version == 1
    assert DossierEvent.objects.filter(dossier=d).count() == 1


def test_after_commit_listener_sees_each_committed_event(
    world, clean_hooks, django_capture_on_commit_callbacks
):
    seen = []
    hooks.in_transaction(lambda e, d: seen.append(("tx", e.action)))
    hooks.after_commit(lambda e, d: seen.append(("commit", e.action, d.status)))
    d = advance(world, Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        s.dossier_receive(dossier_id=d.pk, actor=world.a.staff["c:counter"])
    assert seen[-2:] == [("tx", "receive"), ("commit", "receive", Status.RECEIVED)]


def test_after_commit_listener_is_queued_for_a_worker_when_not_eager(
    world, clean_hooks, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from motcua.dossiers import tasks

    queued = []
    monkeypatch.setattr(tasks.run_after_commit_listener, "delay", lambda *a: queued.append(a))
    settings.CELERY_TASK_ALWAYS_EAGER = False
    hooks._AFTER_COMMIT[:] = [_record]
    d = advance(world, Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        d = s.dossier_receive(dossier_id=d.pk, actor=world.a.staff["c:counter"])
    event = d.events.get(action="receive")
    assert queued[-1] == ("motcua.dossiers.tests.test_hooks._record", event.pk)
    # What the worker runs: the listener, on the committed event.
    _RECORDED.clear()
    tasks.run_after_commit_listener(*queued[-1])
    assert [("receive", d.pk)] == _RECORDED


_RECORDED: list = []


def _record(event, dossier):
    _RECORDED.append((event.action, dossier.pk))


def test_a_message_for_an_unknown_event_is_dropped_with_a_warning(db, caplog):
    from motcua.dossiers import tasks

    _RECORDED.clear()
    tasks.run_after_commit_listener("motcua.dossiers.tests.test_hooks._record", 987654321)
    assert _RECORDED == []
    assert "event 987654321 not found" in caplog.text
