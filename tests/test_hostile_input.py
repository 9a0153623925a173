"""Odd input gets the right 4xx with a message, never a 500, on every database."""

import pytest
from django.test import Client

from assessment.models import Answer
from tests.conftest import PASSWORD

CSRF = "a" * 32


def csrf_client(**kwargs) -> Client:
    """A client that goes through the CSRF check like a browser (the check is what read the body)."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False, **kwargs)
    client.cookies["csrftoken"] = CSRF
    return client


LATIN1 = "application/x-www-form-urlencoded; charset=latin-1"


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/signup/", "/accounts/password_reset/", "/"])
def test_a_form_in_another_charset_is_a_400_for_anyone(db, url):
    response = csrf_client().post(url, b"username=a&csrfmiddlewaretoken=" + CSRF.encode(), content_type=LATIN1)
    assert response.status_code == 400
    assert "We couldn't read that request" in response.content.decode()


def test_an_autosave_in_another_charset_is_a_json_400(assessment, user):
    client = csrf_client(headers={"Accept": "application/json"})
    client.force_login(user)
    response = client.post(
        f"/assessments/{assessment.pk}/answers/NET-ALLOW/",
        b"claim=implemented&notes=cafe",
        content_type=LATIN1,
        headers={"X-CSRFToken": CSRF},
    )
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert response.json()["message"].startswith("Not saved — your browser sent a request we could not read")
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/models/yugabytedb-managed/1.0%00/",
        "/models/yugabytedb-managed/1.0/controls/NET%00ALLOW/",
        "/models/yugabytedb-managed/1.0/?deployment=%00",
        "/assessments/new/?model=%00",
        "/admin/assessment/assessment/?status=%00",
        "/admin/assessment/assessment/?q=a%00b",
    ],
)
def test_a_nul_byte_in_the_address_is_a_400(client, user, yb_model, url):
    client.force_login(user)
    client.raise_request_exception = False
    response = client.get(url)
    assert response.status_code == 400
    assert "The address contains a control character" in response.content.decode()


def test_a_nul_byte_in_an_autosave_address_is_a_400_and_saves_nothing(client, assessment, user):
    client.force_login(user)
    response = client.post(f"/assessments/{assessment.pk}/answers/NET%00ALLOW/", {"claim": "implemented"})
    assert response.status_code == 400
    assert not Answer.objects.exists()


def test_a_nul_byte_in_notes_is_refused_with_a_message(client, assessment, user):
    client.force_login(user)
    response = client.post(
        f"/assessments/{assessment.pk}/answers/NET-ALLOW/", {"claim": "implemented", "notes": "a\x00b"}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"notes": ["Null characters are not allowed."]}
    assert not Answer.objects.exists()


@pytest.mark.parametrize("length", [255, 256, 5000])
def test_a_very_long_login_name_is_a_form_error(db, user, length):
    client = Client(raise_request_exception=False)
    response = client.post("/accounts/login/", {"username": "a" * length, "password": "x"})
    assert response.status_code == 200
    assert "That is longer than any email address we accept." in response.content.decode()


@pytest.mark.parametrize(
    ("content_type", "body", "status", "message"),
    [
        ("application/json", b'{"claim": "implemented"}', 415, "Not saved — send the answer as form fields"),
        ("text/plain", b"claim=implemented", 415, "Not saved — send the answer as form fields"),
        ("", b"", 415, "Not saved — send the answer as form fields"),
        ("application/x-www-form-urlencoded", b"notes=", 400, "Not saved — choose an answer first."),
        ("application/x-www-form-urlencoded", b"version=3", 400, "Not saved — choose an answer first."),
        ("application/x-www-form-urlencoded", b"claim=maybe", 400, "Not saved — fix the field marked below."),
    ],
)
def test_autosave_refuses_a_body_it_cannot_read(client, assessment, user, content_type, body, status, message):
    client.force_login(user)
    response = client.post(f"/assessments/{assessment.pk}/answers/NET-ALLOW/", body, content_type=content_type)
    assert response.status_code == status
    assert response.json()["ok"] is False
    assert response.json()["message"].startswith(message)
    assert not Answer.objects.exists()


def test_login_is_case_insensitive(db, user):
    client = Client()
    response = client.post("/accounts/login/", {"username": "  Alice@ACME.test ", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/assessments/").status_code == 200


def test_two_accounts_cannot_differ_only_in_case(db, user):
    from django.db import IntegrityError, transaction

    from assessment.models import User

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="ALICE@acme.test", name="Other")])


def test_a_csrf_failure_gets_the_sites_own_page(db):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "This form has expired" in body
    assert "<style" not in body  # Django's own page inlines its CSS, which the CSP blocks


def test_the_area_page_states_the_length_limit_of_notes(client, assessment, user):
    client.force_login(user)
    from assessment.selectors.assessments import assessment_state

    asked = sum(1 for item in assessment_state(assessment).items if item.control.area.key == "network")
    body = client.get(f"/assessments/{assessment.pk}/areas/network/").content.decode()
    assert body.count('maxlength="5000"') == 2 * asked  # notes and justification of each control


def test_a_tab_in_a_search_is_just_searched(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/admin/assessment/assessment/?q=Acme%09Corp").status_code == 200


def test_a_line_break_in_the_path_is_a_400(client, db):
    client.raise_request_exception = False
    assert client.get("/models/a%0Ab/1.0/").status_code == 400
