"""The free `discovery` session type every coach starts with (DESIGN.md, seed_demo)."""

from datetime import timedelta

from django.db import transaction

from accounts.models import Coach
from accounts.services import coach_create
from availability.models import SessionType
from availability.services import availability_for_coach

SLUG = "discovery"
# Stored once in the coach's language: it is her wording from then on, which she may edit.
NAMES = {"fr": "30 min d'entretien personnalisé", "en": "30-minute personal session"}
# The page states the duration and the price beside it: the description does not repeat them.
DESCRIPTIONS = {
    "fr": "Un premier échange sans engagement, pour faire le point sur votre communication.",
    "en": "A first conversation with no commitment, to take stock of where you are.",
}
RULES = {
    "duration": timedelta(minutes=30),
    "step": timedelta(minutes=30),
    "notice": timedelta(hours=12),
    "horizon": timedelta(days=60),
    "buffer_before": timedelta(0),
    "buffer_after": timedelta(0),
    "daily_cap": None,
    "limit_policy": SessionType.LimitPolicy.ONCE,
    "is_active": True,
}


def discovery_defaults(language: str) -> dict:
    """The type in the coach's language; a French coach also gets the English wording, so
    that English-speaking invitees read their own language (pages, emails, subjects)."""
    language = language if language in NAMES else "fr"
    english = {"name_en": NAMES["en"], "description_en": DESCRIPTIONS["en"]} if (
        language == "fr") else {}
    return {"name": NAMES[language], "description": DESCRIPTIONS[language], **english, **RULES}


@transaction.atomic
def discovery_ensure(*, coach: Coach) -> SessionType:
    """The coach's availability calendars and her free `discovery` type, created if missing."""
    availability_for_coach(coach=coach)
    session_type, _created = SessionType.objects.get_or_create(
        coach=coach, slug=SLUG, defaults=discovery_defaults(coach.language))
    return session_type


@transaction.atomic
def coach_start(*, email: str, name: str, slug: str, zone: str, language: str,
                password: str | None = None) -> Coach:
    """A new coach (no staff rights) with her free `discovery` type and no windows yet."""
    coach = coach_create(email=email, name=name, slug=slug, zone=zone, language=language,
                         password=password)
    discovery_ensure(coach=coach)
    return coach
