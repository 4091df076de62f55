"""Celery: background work (forms, notifications, sync) where deployed; eager in the demo and
tests (MOTCUA_TASKS_EAGER=1, the default), so nothing else has to run for a first look."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

app = Celery("motcua")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
