"""Drop the cached calendar when the rows it is built from change."""

from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import DeclaredDay, WorkingHours
from .selectors import calendar_cache_written


@receiver(post_save, sender=DeclaredDay)
@receiver(post_delete, sender=DeclaredDay)
@receiver(post_save, sender=WorkingHours)
@receiver(post_delete, sender=WorkingHours)
def _invalidate(sender: type[Model], using: str = "default", **kwargs: object) -> None:
    calendar_cache_written(using=using)
