"""Only coaches reach /coach/…: anonymous people are sent to sign in, other users get a 404."""

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import RequestFactory

from workspace.access import coach_required, request_coach

pytestmark = pytest.mark.django_db

PAGES = ["/coach/security/", "/coach/keys/", "/coach/keys/new/"]


@coach_required
def hello(request):
    return HttpResponse(request_coach(request).slug)


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in_and_back(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("path", PAGES)
def test_a_signed_in_user_without_a_coach_profile_gets_a_404(client, path):
    client.force_login(get_user_model().objects.create_user("staff@example.com", "pw"))
    assert client.get(path).status_code == 404


def test_the_decorator_hands_the_view_its_coach_and_forbids_caching(coach):
    request = RequestFactory().get("/coach/x/")
    request.user = coach.user
    response = hello(request)
    assert response.content == b"demo"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_decorator_redirects_with_the_full_path():
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/coach/x/?week=2027-03-01")
    request.user = AnonymousUser()
    response = hello(request)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/coach/x/%3Fweek%3D2027-03-01"


def test_a_coach_reaches_her_pages(client, coach):
    client.force_login(coach.user)
    assert client.get("/coach/security/").status_code == 200
    assert client.get("/coach/keys/").status_code == 200
