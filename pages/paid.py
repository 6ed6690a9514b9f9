"""Where Stripe Checkout sends the invitee back: paid (…/paid/<token>/) or not (…/unpaid/…).

Only a verified webhook confirms a booking (invariant 10), so the paid page shows "payment
received, confirming…" and refreshes itself until the event has arrived, whichever comes first.
The unpaid page's GET changes nothing (invariant 4: mail scanners and prefetchers fetch URLs);
its POST button releases the hold at once; left alone, the hold ends when Checkout expires.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from booking.models import Booking
from pages.public import booking_on_page_or_404, render_confirmed
from payments.services import hold_released

# Seconds between reloads of the paid page while the webhook is awaited.
REFRESH_SECONDS = 3


@require_safe
@never_cache
def paid(request: HttpRequest, coach: str, session_type: str, token: str) -> HttpResponse:
    booking = booking_on_page_or_404(coach, session_type, token)
    awaiting = booking.status == Booking.Status.PENDING_PAYMENT
    return render_confirmed(request, booking, awaiting_payment=awaiting,
                            refresh_seconds=REFRESH_SECONDS if awaiting else None)


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def unpaid(request: HttpRequest, coach: str, session_type: str, token: str) -> HttpResponse:
    booking = booking_on_page_or_404(coach, session_type, token)
    picker_url = reverse("pages:picker", args=[coach, session_type])
    if request.method == "POST":
        # A paid or already released booking stays as it is.
        hold_released(booking=booking, close_checkout=True)
        return redirect(request.path)  # the GET then says what became of it
    return render(request, "booking/unpaid.html", {
        "booking": booking, "coach": booking.coach, "session_type": booking.session_type,
        "picker_url": picker_url, "held": booking.status == Booking.Status.PENDING_PAYMENT,
        "paid_url": reverse("pages:paid", args=[coach, session_type, token]),
    })
