"""The coach's session types by API key: list, create, change (DESIGN.md "Coach API").

Plain units in and out (minutes, days, minor units); the writes go through the service the
workspace's editor uses, `availability.services.session_type_save`, so both refuse alike.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from accounts.models import Coach
from api.coach import AUTHED, CoachKey
from api.coach_types_schemas import SessionTypeIn, SessionTypeOut
from api.schemas import ErrorOut
from availability.models import SessionType
from availability.selectors import coach_session_type, coach_session_types
from availability.services import session_type_save

router = Router(tags=["coach"], auth=CoachKey())
WRITE = {200: SessionTypeOut, 201: SessionTypeOut, **AUTHED}

# API field ← (model field, the unit of the number).
SPANS = {"duration_minutes": ("duration", "minutes"), "step_minutes": ("step", "minutes"),
         "notice_minutes": ("notice", "minutes"), "horizon_days": ("horizon", "days"),
         "buffer_before_minutes": ("buffer_before", "minutes"),
         "buffer_after_minutes": ("buffer_after", "minutes"),
         "cancel_cutoff_minutes": ("cancel_cutoff", "minutes")}
PLAIN = {"slug": "slug", "name": "name", "name_en": "name_en", "description": "description",
         "description_en": "description_en", "daily_cap": "daily_cap",
         "limit_policy": "limit_policy", "limit_period_days": "limit_period_days",
         "max_reschedules": "max_reschedules", "reminder_minutes": "reminder_minutes",
         "refund_policy": "refund_policy",
         "active": "is_active"}
API_FIELD_OF = ({model: api for api, (model, _unit) in SPANS.items()}
                | {model: api for api, model in PLAIN.items()}
                | {"location_kind": "location", "location_details": "location",
                   "location_room_per_booking": "location", "price_amount": "price",
                   "price_currency": "price"})
_UNIT_SECONDS = {"minutes": 60, "days": 86400}


def type_out(session_type: SessionType) -> dict:
    out = {api: getattr(session_type, model) for api, model in PLAIN.items()}
    for api, (model, unit) in SPANS.items():
        out[api] = int(getattr(session_type, model).total_seconds() // _UNIT_SECONDS[unit])
    out["location"] = None if not session_type.location_kind else {
        "kind": session_type.location_kind, "details": session_type.location_details,
        "room_per_booking": session_type.location_room_per_booking}
    out["price"] = None if session_type.price_amount is None else {
        "amount": session_type.price_amount, "currency": session_type.price_currency}
    return out


def _changes(payload: SessionTypeIn) -> dict:
    """The fields the client sent, as the service takes them (an explicit null counts)."""
    sent, changes = payload.model_fields_set, {}
    for api, model in PLAIN.items():
        if api in sent:
            value = getattr(payload, api)
            if value is None and api not in ("daily_cap", "limit_period_days"):
                continue  # null for a field that cannot be empty: as if left out
            changes[model] = value
    for api, (model, unit) in SPANS.items():
        if api in sent and getattr(payload, api) is not None:
            changes[model] = timedelta(**{unit: getattr(payload, api)})
    if "location" in sent:
        where = payload.location
        changes.update(location_kind=where.kind if where else "",
                       location_details=where.details if where else "",
                       location_room_per_booking=where.room_per_booking if where else False)
    if "price" in sent:
        price = payload.price
        changes.update(price_amount=price.amount if price else None,
                       price_currency=price.currency.lower() if price else "")
    return changes


def _save(coach: Coach, payload: SessionTypeIn, session_type: SessionType | None,
          status: int) -> Status:
    try:
        saved = session_type_save(coach=coach, session_type=session_type,
                                  changes=_changes(payload))
    except DjangoValidationError as exc:
        found: dict[str, list[str]] = {}
        for name, messages in exc.message_dict.items():
            found.setdefault(API_FIELD_OF.get(name, "__all__"), []).extend(map(str, messages))
        return Status(400, {"errors": found})
    return Status(status, type_out(saved))


@router.get("/me/session-types", response={200: list[SessionTypeOut], **AUTHED})
def session_types(request: HttpRequest) -> list[dict]:
    return [type_out(found) for found in coach_session_types(coach=request.auth)]


@router.post("/me/session-types", response=WRITE)
def session_type_create(request: HttpRequest, payload: SessionTypeIn) -> Status:
    missing = [name for name in ("name", "duration_minutes") if getattr(payload, name) is None]
    if missing:
        return Status(400, {"errors": {name: [_("This field is required.")]
                                       for name in missing}})
    return _save(request.auth, payload, None, 201)


@router.patch("/me/session-types/{slug}", response={**WRITE, 404: ErrorOut})
def session_type_change(request: HttpRequest, slug: str, payload: SessionTypeIn) -> Status:
    found = coach_session_type(coach=request.auth, slug=slug)
    if found is None:
        raise Http404  # another coach's type answers as an unknown one

    return _save(request.auth, payload, found, 200)
