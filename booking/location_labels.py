"""Where a booking happens, said in words in the active language (pages and emails)."""

from django.utils.translation import gettext as _

from booking.location import Where


def where_label(where: Where) -> str:
    """One line saying where, in the active language (without the link, shown beside it)."""
    if where.kind == "video":
        return str(_("Video call"))
    if where.kind == "phone":
        if where.text:
            return str(_("Phone call, at %(number)s") % {"number": where.text})
        return str(_("Phone call"))
    if where.kind == "in_person":
        return str(_("In person: %(address)s") % {"address": where.text}) if where.text else ""
    return where.text
