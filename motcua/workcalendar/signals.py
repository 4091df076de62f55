"""Drop the cached calendar when the rows it is built from change."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import DeclaredDay, WorkingHours
from .selectors import calendar_cache_clear


@receiver(post_save, sender=DeclaredDay)
@receiver(post_delete, sender=DeclaredDay)
@receiver(post_save, sender=WorkingHours)
@receiver(post_delete, sender=WorkingHours)
def _invalidate(sender, **kwargs) -> None:
    calendar_cache_clear()
    # A read between the write and the commit may have cached the uncommitted row.
    transaction.on_commit(calendar_cache_clear)
