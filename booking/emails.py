"""The emails of a booking: confirmation, change, cancellation, reminder.

Each is built in its recipient's language (the invitee's or the coach's), names the zone of
every time it shows, and carries the invite as a `text/calendar` alternative plus the same
bytes as `invite.ics` (DESIGN "Emails"). Nothing here sends or decides whether to send: the
tasks do, after claiming the message.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from booking.calendar_links import google_calendar_url, outlook_calendar_url
from booking.clock import clock_time
from booking.invites import InviteFacts, invite_ics
from booking.location import where_booked
from booking.location_labels import where_label
from booking.mail_layout import (
    addressing,
    greeting_name,
    header_safe,
    plain_text,
    render_html,
)
from booking.models import Booking

__all__ = ["When", "booking_message", "header_safe", "language_of", "reminder_message"]

Role = Literal["invitee", "coach"]
Kind = Literal["confirmed", "rescheduled", "cancelled"]
Actor = Booking.CancelledBy

# Paragraphs an app above booking adds to a cancellation email, in the active language:
# payments says what is refunded. Registered from that app's AppConfig.ready, so that
# booking never imports it.
CancellationNote = Callable[[Booking, str], list[str]]
_cancellation_notes: list[CancellationNote] = []


def register_cancellation_note(note: CancellationNote) -> None:
    """Add `note(booking, role)` to every cancellation email (once, however often called)."""
    if note not in _cancellation_notes:
        _cancellation_notes.append(note)


def _cancellation_lines(booking: Booking, role: Role) -> list[str]:
    return [line for note in _cancellation_notes for line in note(booking, role)]


@dataclass(frozen=True, slots=True)
class When:
    """A session's time in one zone, formatted in the active language, zone named."""

    date: str
    start: str
    end: str
    zone: str
    offset: str

    @classmethod
    def of(cls, start: datetime, end: datetime, zone: ZoneInfo) -> "When":
        local_start, local_end = start.astimezone(zone), end.astimezone(zone)
        raw = local_start.strftime("%z")
        return cls(
            date=f"{date_format(local_start, 'l')} {date_format(local_start, 'DATE_FORMAT')}",
            start=clock_time(local_start),
            end=clock_time(local_end),
            zone=zone.key,
            offset=f"UTC{raw[:3]}:{raw[3:]}",
        )

    def __str__(self) -> str:
        return _("%(date)s, %(start)s–%(end)s (%(zone)s time, %(offset)s)") % {
            "date": self.date, "start": self.start, "end": self.end, "zone": self.zone,
            "offset": self.offset}


def _zones(booking: Booking) -> tuple[ZoneInfo, ZoneInfo]:
    return booking.invitee_zone, booking.coach.zone


@dataclass(frozen=True, slots=True)
class Notes:
    """What each side wrote about this change, shown to the other side only.

    `cancel` is the reason given when cancelling; the move's message is `coach_move` or
    `invitee_move`, by whoever moved it. A person's own words never come back to them as if
    from someone else: the coach's copy may say "Your message", the invitee's says nothing.
    """

    coach_move: str = ""
    invitee_move: str = ""

    def for_role(self, booking: Booking, role: Role, kind: str) -> dict[str, str]:
        by_coach, by_invitee = self.coach_move, self.invitee_move
        if kind == "cancelled":
            reason = booking.cancel_reason
            by_coach = reason if booking.cancelled_by == Actor.COACH else ""
            by_invitee = reason if booking.cancelled_by == Actor.INVITEE else ""
        if role == "invitee":
            return {"other_message": by_coach, "other_name": booking.coach.display_name,
                    "own_message": ""}
        return {"other_message": by_invitee, "other_name": booking.invitee_name,
                "own_message": by_coach}


def _context(booking: Booking, *, role: Role, kind: str,
             previous_start: datetime | None, notes: Notes | None = None) -> dict:
    invitee_zone, coach_zone = _zones(booking)
    session_type = booking.session_type
    own, other = (invitee_zone, coach_zone) if role == "invitee" else (coach_zone, invitee_zone)
    where = where_booked(booking)
    context = {
        "booking": booking,
        "kind": kind,
        "role": role,
        "greeting": greeting_name(booking.invitee_name if role == "invitee"
                                  else booking.coach.display_name),
        "coach_name": booking.coach.display_name,
        "session_name": session_type.display_name(),
        "duration_minutes": int(session_type.duration.total_seconds() // 60),
        "what_to_expect": session_type.display_description() or _(
            "A personal conversation with %(coach)s about where you are and where you want "
            "to go. Come as you are; there is nothing to prepare.") % {
                "coach": booking.coach.display_name},
        "when": When.of(booking.start, booking.end, own),
        "when_other": None if other.key == own.key else When.of(booking.start, booking.end,
                                                                  other),
        "previous_when": None,
        "manage_url": booking.manage_url if role == "invitee" else "",
        "site_url": settings.SITE_URL,
        "coach_url": settings.SITE_URL + booking.coach.get_absolute_url(),
        "cancelled_by_coach": booking.cancelled_by == Actor.COACH,
        # The coach's own page of the booking; the invitee's emails never carry it.
        "workspace_url": booking.workspace_url if role == "coach" else "",
        # Where, the booking's own room link included: this email goes to one of the two sides.
        "where_label": where_label(where),
        "where_link": where.link,
        **(notes or Notes()).for_role(booking, role, kind),
    }
    if previous_start is not None:
        context["previous_when"] = When.of(previous_start,
                                           previous_start + (booking.end - booking.start), own)
    return context


def _subject(booking: Booking, *, role: Role, kind: str, when: When) -> str:
    values = {"session": booking.session_type.display_name(), "coach": booking.coach.display_name,
              "name": booking.invitee_name, "date": when.date, "time": when.start}
    subjects = {
        ("invitee", "confirmed"): _("Confirmed: %(session)s with %(coach)s, %(date)s at %(time)s"),
        ("invitee", "rescheduled"): _("Moved: %(session)s with %(coach)s, now %(date)s at "
                                      "%(time)s"),
        ("invitee", "cancelled"): _("Cancelled: %(session)s with %(coach)s, %(date)s at "
                                    "%(time)s"),
        ("invitee", "reminder"): _("Reminder: %(session)s with %(coach)s, %(date)s at %(time)s"),
        ("coach", "confirmed"): _("New booking: %(name)s, %(date)s at %(time)s"),
        ("coach", "rescheduled"): _("Booking moved: %(name)s, now %(date)s at %(time)s"),
        ("coach", "cancelled"): _("Booking cancelled: %(name)s, %(date)s at %(time)s"),
    }
    return header_safe(subjects[(role, kind)] % values)


def _invite_facts(booking: Booking, *, role: Role, context: dict, now: datetime) -> InviteFacts:
    if role == "invitee":
        summary = f"{booking.session_type.display_name()} · {booking.coach.display_name}"
        description = "\n\n".join([*_where_lines(context), context["what_to_expect"], _(
            "Cancel or reschedule: %(url)s") % {"url": booking.manage_url}])
        return InviteFacts.from_booking(booking, dtstamp=now, manage_url=booking.manage_url,
                                        summary=summary, description=description)
    # The manage link is the invitee's credential: it stays out of the coach's calendar,
    # which she may share (the feed leaves it out for the same reason).
    summary = f"{booking.session_type.display_name()} · {header_safe(booking.invitee_name)}"
    lines = [f"{booking.invitee_name} <{booking.invitee_email}>",
             _("Time zone: %(zone)s") % {"zone": booking.invitee_timezone}]
    if booking.message:
        lines.append(_("Message: %(message)s") % {"message": booking.message})
    lines.extend(_where_lines(context))
    return InviteFacts.from_booking(booking, dtstamp=now, manage_url="", summary=summary,
                                    description="\n".join(lines))


def _where_lines(context: dict) -> list[str]:
    line = " ".join(filter(None, [context["where_label"], context["where_link"]]))
    return [_("Where: %(where)s") % {"where": line}] if line else []


def _message(booking: Booking, *, role: Role, template: str, subject: str, context: dict,
             ics: bytes | None, method: str) -> EmailMultiAlternatives:
    from_email, to, reply_to = addressing(booking, role)
    message = EmailMultiAlternatives(
        subject=subject,
        body=plain_text(render_to_string(f"email/{template}.txt", context)),
        from_email=from_email,
        to=[to],
        reply_to=[reply_to],
    )
    message.attach_alternative(render_html(f"email/{template}.html", context), "text/html")
    if ics is not None:
        # No charset= here: Django adds it, and a second one confuses clients.
        message.attach_alternative(ics.decode(), f"text/calendar; method={method}")
        message.attach("invite.ics", ics, "application/ics")
    return message


def language_of(booking: Booking, role: Role) -> str:
    return booking.invitee_language if role == "invitee" else booking.coach.language


def booking_message(booking: Booking, *, role: Role, kind: Kind, now: datetime,
                    previous_start: datetime | None = None, coach_message: str = "",
                    invitee_message: str = "") -> EmailMultiAlternatives:
    """The email telling `role` that `booking` was confirmed, moved or cancelled.

    `previous_start` (for a move) is the time the last invite announced; `now` is DTSTAMP;
    `coach_message` or `invitee_message` is what whoever moved it wrote (the other side sees
    it). A cancellation's reason is read from the booking.
    """
    with translation.override(language_of(booking, role)):
        context = _context(booking, role=role, kind=kind, previous_start=previous_start,
                           notes=Notes(coach_move=coach_message, invitee_move=invitee_message))
        context["language"] = translation.get_language()
        method = "CANCEL" if kind == "cancelled" else "REQUEST"
        facts = _invite_facts(booking, role=role, context=context, now=now)
        if kind == "cancelled":
            context["cancellation_notes"] = _cancellation_lines(booking, role)
        else:
            context["google_calendar_url"] = google_calendar_url(facts)
            context["outlook_calendar_url"] = outlook_calendar_url(facts)
        return _message(booking, role=role, template=role,
                        subject=_subject(booking, role=role, kind=kind, when=context["when"]),
                        context=context, ics=invite_ics(facts, method), method=method)


def reminder_message(booking: Booking) -> EmailMultiAlternatives:
    """The invitee's reminder: when (zone named), what to expect, the manage link."""
    with translation.override(booking.invitee_language):
        context = _context(booking, role="invitee", kind="reminder", previous_start=None)
        context["language"] = translation.get_language()
        return _message(booking, role="invitee", template="reminder",
                        subject=_subject(booking, role="invitee", kind="reminder",
                                         when=context["when"]),
                        context=context, ics=None, method="")
