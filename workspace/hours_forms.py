"""Forms of the hours editor: her week (one row a weekday, several ranges a row), copying a
day, date overrides, time off, the warning about bookings under time off, and the "why is
this time not offered?" question. Days and times are wall-clock values of her zone; the
rules on ranges are `availability.hours.check_ranges`, the one the API uses too.
"""

from datetime import date, time

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from availability import hours
from availability.hours import WeeklyRange
from booking.validators import MESSAGE_MAX, validate_message
from web.parsing import BadValue, parse_date, parse_time, parse_uuid

MAX_ROWS = 12
NEED_RANGE = _("Add a time range, or turn the day off.")
CHOOSE_DECISION = _("Choose whether to keep or cancel these bookings.")
OVERRIDE_HOURS_NEEDED = _("Give the hours of these days, or choose “unavailable all day”.")
DAY_CHOICES = [(str(day), name) for day, name in WEEKDAYS.items()]


class LocalTimeField(forms.TimeField):
    """A wall-clock time HH:MM, read by web.parsing like the API's."""

    def to_python(self, value) -> time | None:
        if value in self.empty_values:
            return None
        if isinstance(value, time):
            return value
        try:
            return parse_time(value)
        except BadValue as exc:
            raise ValidationError(str(exc), code="invalid") from None


class LocalDateField(forms.DateField):
    """A calendar date YYYY-MM-DD within the range every door accepts (web.parsing)."""

    def to_python(self, value) -> date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value
        try:
            return parse_date(value)
        except BadValue as exc:
            raise ValidationError(str(exc), code="invalid") from None


def _time(label, required=False) -> forms.TimeField:
    return LocalTimeField(label=label, required=required,
                          widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))


def _date(label, required=False) -> forms.DateField:
    return LocalDateField(label=label, required=required,
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _rows_posted(data, day: int) -> int:
    indexes = [int(key.rsplit("_", 1)[1]) for key in data
               if key.startswith(f"d{day}_start_") and key.rsplit("_", 1)[1].isdigit()]
    return min(max(indexes, default=-1) + 1, MAX_ROWS)


class WeekForm(forms.Form):
    """Seven rows: `d{n}_on` and ranges `d{n}_start_{i}`, `d{n}_end_{i}`, `d{n}_remove_{i}`."""

    def __init__(self, data=None, *, ranges: dict[int, list[WeeklyRange]] | None = None):
        initial: dict = {}
        rows: dict[int, int] = {}
        for day in range(7):
            current = (ranges or {}).get(day, [])
            if data is not None:
                rows[day] = _rows_posted(data, day)
            else:
                rows[day] = min(len(current) + 1, MAX_ROWS)
                initial[f"d{day}_on"] = bool(current)
                for i, found in enumerate(current[:MAX_ROWS]):
                    initial[f"d{day}_start_{i}"] = found.start
                    initial[f"d{day}_end_{i}"] = found.end
        super().__init__(data, initial=initial)
        self.rows = rows
        for day in range(7):
            self.fields[f"d{day}_on"] = forms.BooleanField(
                label=_("Available on %(day)s") % {"day": WEEKDAYS[day]}, required=False)
            for i in range(rows[day]):
                self.fields[f"d{day}_start_{i}"] = _time(_("From"))
                self.fields[f"d{day}_end_{i}"] = _time(_("To"))
                self.fields[f"d{day}_remove_{i}"] = forms.BooleanField(label=_("Remove"),
                                                                       required=False)

    def day_rows(self) -> list[dict]:
        """What the template shows: per weekday its switch, errors and range rows."""
        return [{"day": day, "name": WEEKDAYS[day], "on": self[f"d{day}_on"],
                 "errors": self.errors.get(f"d{day}_on", []),
                 "ranges": [{"start": self[f"d{day}_start_{i}"], "end": self[f"d{day}_end_{i}"],
                             "remove": self[f"d{day}_remove_{i}"], "index": i}
                            for i in range(self.rows[day])]}
                for day in range(7)]

    def _day(self, data: dict, day: int) -> list[tuple[time, time]]:
        ranges, incomplete = [], False
        for i in range(self.rows[day]):
            start, end = data.get(f"d{day}_start_{i}"), data.get(f"d{day}_end_{i}")
            if data.get(f"d{day}_remove_{i}") or (start is None and end is None):
                continue
            if start is None or end is None:
                incomplete = True
                continue
            ranges.append((start, end))
        if incomplete:
            self.add_error(f"d{day}_on", hours.RANGE_INCOMPLETE)
        return ranges

    def clean(self) -> dict:
        data = super().clean()
        days: dict[int, list[tuple[time, time]]] = {}
        for day in range(7):
            if any(f"d{day}_start_{i}" in self.errors or f"d{day}_end_{i}" in self.errors
                   for i in range(self.rows[day])):
                continue
            ranges = self._day(data, day) if data.get(f"d{day}_on") else []
            if data.get(f"d{day}_on") and not ranges and f"d{day}_on" not in self.errors:
                self.add_error(f"d{day}_on", NEED_RANGE)
            try:
                hours.check_ranges(ranges)
            except ValidationError as exc:
                self.add_error(f"d{day}_on", exc.messages)
            days[day] = ranges
        data["days"] = days
        return data


class CopyForm(forms.Form):
    source = forms.TypedChoiceField(label=_("Copy the hours of"), choices=DAY_CHOICES,
                                    coerce=int)
    targets = forms.TypedMultipleChoiceField(label=_("to"), choices=DAY_CHOICES, coerce=int,
                                             widget=forms.CheckboxSelectMultiple,
                                             error_messages={"required": hours.NO_DAYS})


class DecisionForm(forms.Form):
    """What the coach decided about the bookings the time off would cover."""

    decision = forms.ChoiceField(required=False, choices=[
        ("keep", _("Save and keep these bookings")),
        ("cancel", _("Save and cancel these bookings"))])
    seen = forms.CharField(required=False, widget=forms.MultipleHiddenInput)
    message = forms.CharField(label=_("Message to the invitees (optional)"), required=False,
                              max_length=MESSAGE_MAX, strip=True, validators=[validate_message],
                              help_text=_("It is included in the cancellation emails."),
                              widget=forms.Textarea(attrs={"rows": 3}))

    def clean_seen(self) -> set:
        values = self.data.getlist("seen") if hasattr(self.data, "getlist") else []
        uids = {parse_uuid(value) for value in values[:500]}
        if None in uids:
            raise ValidationError(CHOOSE_DECISION)
        return uids

    @property
    def decided(self) -> bool:
        return bool(self.cleaned_data.get("decision"))


class TimeOffForm(DecisionForm):
    off_first = _date(_("First day"), required=True)
    off_start = _time(_("From"))
    off_last = _date(_("Last day"))
    off_end = _time(_("To"))

    field_order = ["off_first", "off_start", "off_last", "off_end"]

    def clean(self) -> dict:
        data = super().clean()
        if "off_first" in data:
            last = data.get("off_last") or data["off_first"]
            if last < data["off_first"]:
                self.add_error("off_last", _("The last day must not be before the first."))
        return data


class OverrideForm(DecisionForm):
    date_1 = _date(_("Date"))
    date_2 = _date(_("Another date"))
    date_3 = _date(_("Another date"))
    date_4 = _date(_("Another date"))
    mode = forms.ChoiceField(label=_("On these dates"), widget=forms.RadioSelect,
                             initial="closed", choices=[
                                 ("closed", _("Unavailable all day")),
                                 ("hours", _("Available at these hours instead"))])
    start_1 = _time(_("From"))
    end_1 = _time(_("To"))
    start_2 = _time(_("From"))
    end_2 = _time(_("To"))

    field_order = ["date_1", "date_2", "date_3", "date_4", "mode", "start_1", "end_1",
                   "start_2", "end_2"]

    def clean(self) -> dict:
        data = super().clean()
        data["days"] = sorted({data[f"date_{i}"] for i in range(1, 5) if data.get(f"date_{i}")})
        if not data["days"] and not any(f"date_{i}" in self.errors for i in range(1, 5)):
            self.add_error("date_1", hours.NO_DAYS)
        ranges = []
        if data.get("mode") == "hours":
            for i in (1, 2):
                start, end = data.get(f"start_{i}"), data.get(f"end_{i}")
                if (start is None) != (end is None):
                    self.add_error(f"end_{i}", hours.RANGE_INCOMPLETE)
                elif start is not None:
                    ranges.append((start, end))
            if not ranges and not self.errors:
                self.add_error("start_1", OVERRIDE_HOURS_NEEDED)
            try:
                hours.check_ranges(ranges)
            except ValidationError as exc:
                self.add_error("end_1", exc.messages)
        data["hours"] = ranges
        return data


class WhyForm(forms.Form):
    why_day = _date(_("Date"), required=True)
    why_time = _time(_("Time"), required=True)
    why_type = forms.ChoiceField(label=_("Session type"))

    def __init__(self, data=None, *, type_choices: list[tuple[str, str]]) -> None:
        super().__init__(data)
        self.fields["why_type"].choices = type_choices
