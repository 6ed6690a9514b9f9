"""Invitees' personal data: what a coach holds about a person, its erasure, its retention.

A *person* is one mailbox with one coach: the bookings of that coach whose canonical email
(booking.addresses.canonical_email) is the same. Three flows, each one function every door
calls (manage page, manage API, workspace, the purge command and its daily task):

- `person_data`: everything held about the person (GDPR access): the bookings with their
  names, emails, phone, messages, statuses, history, the coach's private notes about them
  (personal data too, so included) and the emails sent.
- `person_erase`: their future bookings are cancelled through the usual cancel service (both
  sides get the usual emails; a paid one is refunded by policy when the caller passes the
  payments' cancel), everything else is anonymised at once. A booking whose emails may still be
  on their way (cancelled now or lately) keeps its address until ERASURE_GRACE has passed, then
  `anonymise_erased` (a task, and the daily purge as a safety net) anonymises it.
- `purge_personal_data`: bookings that ended longer ago than the coach's retention
  (`Coach.retention_days`) are anonymised.

Anonymising keeps the row (times, status, type, history kinds): the coach's agenda, her feed
and her statistics stay whole, and a past booking blocks nothing. It empties the name, email,
canonical email, phone, message and cancellation reason, the messages of history rows, the
coach's notes and the error texts of sent notifications (an SMTP error may quote the address),
then saves through Booking.save(), which renders the feed event again without the person.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from booking.models import Booking, BookingEvent, BookingNote, SentNotification
from booking.services import booking_cancel

# Longer than the email retries take (booking.tasks.RETRY_BACKOFF adds up to ~17.5 hours), so
# a cancellation caused by an erasure reaches its recipients before their address goes.
ERASURE_GRACE = timedelta(days=1)
PERSONAL_FIELDS = ("invitee_name", "invitee_email", "invitee_email_canonical", "invitee_phone",
                   "message", "cancel_reason")

Canceller = Callable[..., Booking]


def person_bookings(booking: Booking) -> QuerySet[Booking]:
    """The bookings of `booking`'s person with its coach, not anonymised yet, by start."""
    same = (Q(invitee_email_canonical=booking.invitee_email_canonical)
            if booking.invitee_email_canonical else Q(pk=booking.pk))
    return (Booking.objects.filter(same, coach_id=booking.coach_id, anonymised_at__isnull=True)
            .select_related("session_type", "coach__user").order_by("start", "pk"))


def _iso(instant: datetime | None) -> str | None:
    return instant.isoformat() if instant is not None else None


def _booking_data(booking: Booking) -> dict:
    return {
        "uid": str(booking.uid),
        "session_type": booking.session_type.name,
        "status": booking.status,
        "start": _iso(booking.start), "end": _iso(booking.end),
        "name": booking.invitee_name, "email": booking.invitee_email,
        "phone": booking.invitee_phone, "message": booking.message,
        "time_zone": str(booking.invitee_timezone), "language": booking.invitee_language,
        "meeting_url": booking.meeting_url,
        "consent_at": _iso(booking.consent_at), "consent_version": booking.consent_version,
        "created_at": _iso(booking.created_at),
        "cancelled_at": _iso(booking.cancelled_at), "cancelled_by": booking.cancelled_by,
        "cancel_reason": booking.cancel_reason,
        "history": [
            {"kind": event.kind, "by": event.actor, "at": _iso(event.at),
             "previous_start": _iso(event.old_start), "new_start": _iso(event.new_start),
             "message": event.message}
            for event in booking.events.all()],
        "coach_notes": [{"text": note.text, "created_at": _iso(note.created_at)}
                        for note in booking.notes.all()],
        "emails_sent": [
            {"kind": sent.kind, "to": sent.role, "session_start": _iso(sent.start),
             "sent_at": _iso(sent.sent_at), "failed_at": _iso(sent.failed_at)}
            for sent in booking.notifications.all()],  # prefetched, in sending order
    }


def person_data(*, booking: Booking, now: datetime | None = None) -> dict:
    """Everything the coach holds about `booking`'s person, as plain JSON-ready values.

    Times are ISO 8601 in UTC. The coach's private notes are included: they are personal
    data about the person, which the right of access covers.
    """
    now = now or timezone.now()
    # Three prefetches, whatever the number of bookings: no query per booking.
    bookings = person_bookings(booking).prefetch_related(
        "events", "notes",
        Prefetch("notifications",
                 queryset=SentNotification.objects.order_by("claimed_at", "pk")))
    coach = booking.coach
    return {
        "generated_at": now.isoformat(),
        "coach": {"name": coach.display_name, "slug": coach.slug, "email": coach.email},
        "privacy_notice": {"url": f"{settings.SITE_URL}/privacy/",
                           "version": settings.PRIVACY_NOTICE_VERSION},
        "retention_days": coach.retention_days,
        "bookings": [_booking_data(item) for item in bookings],
    }


def _locked(booking: Booking) -> Booking:
    return (Booking.objects.select_for_update(of=("self",))
            .select_related("session_type", "coach__user").get(pk=booking.pk))


def booking_anonymise(*, booking: Booking, now: datetime | None = None) -> Booking:
    """Erase the person from `booking` and what hangs from it; a second call changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        if booking.anonymised_at is not None:
            return booking
        for field in PERSONAL_FIELDS:
            setattr(booking, field, "")
        booking.anonymised_at = now
        booking.save()  # renders the feed event again, without the person
        BookingEvent.objects.filter(booking=booking).exclude(message="").update(message="")
        BookingNote.objects.filter(booking=booking).delete()
        SentNotification.objects.filter(booking=booking).exclude(error="").update(error="")
    return booking


def _needs_address(booking: Booking, now: datetime) -> bool:
    """Whether emails about `booking` may still be on their way (a recent cancellation)."""
    return (booking.status == Booking.Status.CANCELLED and booking.cancelled_at is not None
            and booking.cancelled_at > now - ERASURE_GRACE)


@dataclass(frozen=True, slots=True)
class Erasure:
    """What an erasure did: uids cancelled (anonymised after the grace) and anonymised now."""

    cancelled: list[str]
    anonymised: list[str]
    deferred_until: datetime | None


def person_erase(*, booking: Booking, by: str, now: datetime | None = None,
                 cancel: Canceller = booking_cancel) -> Erasure:
    """Erase `booking`'s person from its coach's data (GDPR erasure), asked by `by`.

    Their bookings that have not ended are cancelled by `cancel` (booking_cancel, or the
    payments' booking_cancel_with_refund) as `by`, whatever the invitee's cut-off: erasure is
    a right, not a change of plans. The usual emails go out; the address is kept until then.
    """
    from booking.privacy_tasks import anonymise_erased  # the tasks module imports this one

    now = now or timezone.now()
    cancelled, anonymised, deferred = [], [], []
    with transaction.atomic():
        for item in person_bookings(booking):
            if item.is_active and item.end > now:
                item = cancel(booking=item, by=by, now=now, cutoff=False)
                cancelled.append(str(item.uid))
            if _needs_address(item, now):
                deferred.append(item.pk)
            else:
                booking_anonymise(booking=item, now=now)
                anonymised.append(str(item.uid))
        until = now + ERASURE_GRACE if deferred else None
        if deferred:
            Booking.objects.filter(pk__in=deferred).update(erasure_requested_at=now)
            anonymise_erased.using(run_after=until).enqueue(deferred)
    return Erasure(cancelled=cancelled, anonymised=anonymised, deferred_until=until)


def anonymise_bookings(pks: list[int], *, now: datetime | None = None) -> int:
    """Anonymise these bookings (the ones an erasure deferred); returns how many changed."""
    now = now or timezone.now()
    count = 0
    for booking in Booking.objects.filter(pk__in=pks, anonymised_at__isnull=True):
        booking_anonymise(booking=booking, now=now)
        count += 1
    return count


def purge_candidates(*, now: datetime, older_than_days: int | None = None) -> QuerySet[Booking]:
    """Bookings to anonymise: ended before now − retention (the coach's, or `older_than_days`
    for everyone), and erasures whose grace has passed."""
    if older_than_days is not None:
        expired = Q(end__lt=now - timedelta(days=older_than_days))
    else:
        # Per coach: ends compared with each coach's own retention. Few distinct values.
        retentions = (Booking.objects.filter(anonymised_at__isnull=True)
                      .values_list("coach__retention_days", flat=True).distinct())
        expired = Q(pk__in=[])
        for days in retentions:
            expired |= Q(coach__retention_days=days, end__lt=now - timedelta(days=days))
    erased = Q(erasure_requested_at__lt=now - ERASURE_GRACE)
    return Booking.objects.filter(expired | erased, anonymised_at__isnull=True).order_by("pk")


def purge_personal_data(*, now: datetime | None = None,
                        older_than_days: int | None = None) -> int:
    """Anonymise every booking past its retention; returns how many were anonymised."""
    now = now or timezone.now()
    pks = list(purge_candidates(now=now, older_than_days=older_than_days)
               .values_list("pk", flat=True))
    return anonymise_bookings(pks, now=now)
