"""The finish line's certificate status (issue 16, item 2): JSON for the holder only, never a 500."""

import pytest

from certificates.models import Certificate
from tests.accounts.factories import ManagerScopeFactory, UserFactory
from tests.conftest import sign_in_past_second_factor
from tests.courses.factories import complete_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(course, unit_tree, django_capture_on_commit_callbacks):
    learner = UserFactory(unit=unit_tree["HN-P-HK-CA"])
    with django_capture_on_commit_callbacks(execute=True):
        complete_course(learner, course)
    return Certificate.objects.get(user=learner)


def status_url(certificate):
    return f"/certificates/{certificate.serial_slug}/status/"


def test_the_holder_learns_whether_the_pdf_is_ready(client, issued):
    client.force_login(issued.user)

    ready = client.get(status_url(issued))

    assert ready.status_code == 200 and ready["Content-Type"] == "application/json"
    assert ready.json() == {
        "serial": issued.serial,
        "state": "valid",
        "ready": True,
        "url": f"/certificates/{issued.serial_slug}.pdf",
    }
    assert "no-cache" in ready["Cache-Control"] or "private" in ready["Cache-Control"]

    Certificate.objects.filter(pk=issued.pk).update(pdf="", pdf_sha256="")
    assert client.get(status_url(issued)).json()["ready"] is False
    assert client.get(status_url(issued)).json()["url"] is None


@pytest.mark.parametrize("who", ["anonymous", "stranger", "manager over the holder's unit"])
def test_anyone_but_the_holder_gets_the_answer_for_no_certificate(client, issued, unit_tree, who):
    if who == "stranger":
        client.force_login(UserFactory(unit=unit_tree["HN-P-HK-CA"]))
    elif who.startswith("manager"):
        sign_in_past_second_factor(client, ManagerScopeFactory(unit=unit_tree["HN"]).user)

    response = client.get(status_url(issued))

    assert response.status_code == 404 and "ready" not in response.content.decode()


@pytest.mark.parametrize("serial", ["999999-2026-gcn", "x" * 2000, "abc", "-1", "%00", "%ff", "a%22b"])
def test_a_bad_serial_is_a_not_found_never_a_server_error(client, issued, serial):
    client.force_login(issued.user)
    assert client.get(f"/certificates/{serial}/status/").status_code in (400, 404)


def test_the_status_needs_a_get(client, issued):
    client.force_login(issued.user)
    assert client.post(status_url(issued)).status_code == 405
