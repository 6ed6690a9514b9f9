"""Any change to a coach's calendars bumps her availability version, retiring cached windows.

Signals do not fire for `QuerySet.update()` or `bulk_create()`; code that writes events in bulk
must call `availability.services.availability_touch` itself.
"""

from collections.abc import Iterable

from django.db.models import F, Q
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from schedule.models import Event, Occurrence, Rule

from availability.models import Availability


def _bump(calendar_ids: Iterable[int | None]) -> None:
    ids = {pk for pk in calendar_ids if pk is not None}
    if ids:
        Availability.objects.filter(Q(windows_id__in=ids) | Q(time_off_id__in=ids)).update(
            version=F("version") + 1)


@receiver(pre_save, sender=Event)
def event_moving(sender, instance: Event, **kwargs) -> None:
    # An event moved to another calendar leaves the old one changed too.
    instance._calendar_before_save = (
        Event.objects.filter(pk=instance.pk).values_list("calendar_id", flat=True).first()
        if instance.pk else None)


@receiver(post_save, sender=Event)
def event_saved(sender, instance: Event, **kwargs) -> None:
    _bump([instance.calendar_id, getattr(instance, "_calendar_before_save", None)])


@receiver(post_delete, sender=Event)
def event_deleted(sender, instance: Event, **kwargs) -> None:
    _bump([instance.calendar_id])


@receiver([post_save, post_delete], sender=Occurrence)
def occurrence_changed(sender, instance: Occurrence, **kwargs) -> None:
    _bump(Event.objects.filter(pk=instance.event_id).values_list("calendar_id", flat=True))


@receiver(post_save, sender=Rule)
def rule_saved(sender, instance: Rule, **kwargs) -> None:
    _bump(Event.objects.filter(rule=instance).values_list("calendar_id", flat=True))


@receiver(pre_delete, sender=Rule)
def rule_deleting(sender, instance: Rule, **kwargs) -> None:
    # Deleting a rule sets its events' rule to NULL with a bulk UPDATE, which sends no signal,
    # and by post_delete no event points at the rule any more: bump while they still do.
    _bump(Event.objects.filter(rule=instance).values_list("calendar_id", flat=True))
