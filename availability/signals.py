"""Any change to a coach's calendars bumps her availability version, retiring cached windows."""

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from schedule.models import Event, Occurrence, Rule

from availability.models import Availability


def _bump(calendar_ids) -> None:
    Availability.objects.filter(windows_id__in=calendar_ids).update(version=F("version") + 1)
    Availability.objects.filter(time_off_id__in=calendar_ids).update(version=F("version") + 1)


@receiver([post_save, post_delete], sender=Event)
def event_changed(sender, instance: Event, **kwargs) -> None:
    _bump([instance.calendar_id])


@receiver([post_save, post_delete], sender=Occurrence)
def occurrence_changed(sender, instance: Occurrence, **kwargs) -> None:
    _bump(Event.objects.filter(pk=instance.event_id).values("calendar_id"))


@receiver([post_save, post_delete], sender=Rule)
def rule_changed(sender, instance: Rule, **kwargs) -> None:
    _bump(Event.objects.filter(rule=instance).values("calendar_id"))
