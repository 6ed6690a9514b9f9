from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from accounts.models import Coach


def home(request: HttpRequest) -> HttpResponse:
    coach = Coach.objects.order_by("id").first()
    if coach is None:
        return HttpResponse("Créneau")
    return redirect(coach.get_absolute_url())


def coach_page(request: HttpRequest, coach: str) -> HttpResponse:
    coach_obj = get_object_or_404(Coach, slug=coach)
    return HttpResponse(coach_obj.display_name)
