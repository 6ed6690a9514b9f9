"""`{{ instant|clock }}`: a time in the active language's one format (booking.clock), in the
zone a surrounding `{% timezone %}` sets."""

from datetime import datetime

from django import template

from booking.clock import clock_time

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def clock(value: datetime | None) -> str:
    return "" if value in (None, "") else clock_time(value)
