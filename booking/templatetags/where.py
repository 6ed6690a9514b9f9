"""Where a session happens, for the pages: `{% where_public session_type as where %}`
before booking (no link), `{% where_booked booking as where %}` on the invitee's and the
coach's own pages (the booking's room link included)."""

from django import template

from booking import location
from booking.location_labels import where_label

register = template.Library()


def _shown(where: location.Where) -> dict:
    return {"kind": where.kind, "label": where_label(where), "link": where.link}


@register.simple_tag
def where_public(session_type) -> dict:
    return _shown(location.where_public(session_type))


@register.simple_tag
def where_booked(booking) -> dict:
    return _shown(location.where_booked(booking))
