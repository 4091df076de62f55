import datetime as dt

import pytest
from django.utils import timezone

from motcua.dossiers.models import Attachment, Dossier, DossierEvent, Handover, Pause
from motcua.dossiers.tests.conftest import T0, advance, submit, world  # noqa: F401
from motcua.org.tests.otp import otp_login

__all__ = ["T0", "advance", "submit", "world", "recent", "snapshot", "act"]


def recent() -> dt.datetime:
    """A moment a few hours ago: dossiers built from it are due in the future."""
    return timezone.now() - dt.timedelta(hours=4)


def snapshot(d):
    """Everything an action could change on a dossier."""
    d = Dossier.objects.get(pk=d.pk)
    return (
        {
            f.attname: getattr(d, f.attname)
            for f in Dossier._meta.concrete_fields
            if f.attname != "updated_at"
        },
        DossierEvent.objects.filter(dossier=d).count(),
        Handover.objects.filter(dossier=d).count(),
        Pause.objects.filter(dossier=d).count(),
        Attachment.objects.filter(dossier=d).count(),
    )


def act(client, user, d, action, **data):
    """POST one action of the dossier page as `user`, with the current version."""
    otp_login(client, user)
    data.setdefault("expected_version", Dossier.objects.get(pk=d.pk).version)
    return client.post(f"/can-bo/ho-so/{d.pk}/{action}/", data)


@pytest.fixture
def officer(world):
    return world.a.staff["c:counter"]
