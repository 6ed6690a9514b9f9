"""A coach's retention of her invitees' personal data, and the privacy notice's reserved path."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import DEFAULT_RETENTION_DAYS, Coach, validate_coach_slug
from tests.factories import CoachFactory

pytestmark = pytest.mark.django_db


def test_a_new_coach_keeps_personal_data_a_year():
    coach = CoachFactory()
    assert DEFAULT_RETENTION_DAYS == 365
    assert Coach.objects.get(pk=coach.pk).retention_days == 365


@pytest.mark.parametrize("days", [0, 3651])
def test_a_retention_out_of_range_is_refused(days):
    coach = CoachFactory()
    coach.retention_days = days
    with pytest.raises(ValidationError) as raised:
        coach.full_clean()
    assert "retention_days" in raised.value.message_dict


def test_privacy_is_not_a_coach_slug():
    with pytest.raises(ValidationError):
        validate_coach_slug("privacy")
