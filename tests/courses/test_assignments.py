"""Managers assign courses to units; learners below see them on /my/ and are reminded once."""

import datetime
import io

from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation

import pytest

from cms.links import absolute_url
from courses import assignments
from courses.models import Assignment, Enrolment
from tests.accounts.factories import ManagerScopeFactory, UserFactory
from tests.courses.factories import AssignmentFactory, CompletionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward_manager(staff_client, unit_tree):
    client = staff_client("Managers")
    ManagerScopeFactory(user=client.user, unit=unit_tree["HN-P-HK"])
    return client


@pytest.fixture
def learners(unit_tree):
    return {
        "police": UserFactory(unit=unit_tree["HN-P-HK-CA"], email="ca@example.org"),
        "health": UserFactory(unit=unit_tree["HN-P-HK-TYT"], email="tyt@example.org"),
        "commune": UserFactory(unit=unit_tree["HN-X-SS"], email="xa@example.org"),
    }


def in_days(days):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def test_a_ward_manager_assigns_a_course_to_units_and_sees_how_many_learners_it_covers(
    ward_manager, course, unit_tree, learners
):
    form = ward_manager.get("/admin/assignments/assign/").content.decode()
    assert "Phường Hoàn Kiếm (2 người học" in form and "Xã Sóc Sơn" not in form

    response = ward_manager.post(
        "/admin/assignments/assign/",
        {
            "course": course["course"].pk,
            "units": [unit_tree["HN-P-HK-CA"].pk, unit_tree["HN-P-HK-TYT"].pk],
            "due_on": in_days(30),
        },
        follow=True,
    )

    assert f"Đã giao “{course['course'].title}” cho 2 đơn vị, gồm 2 người học." in response.content.decode()
    assert set(Assignment.objects.values_list("unit__code", flat=True)) == {"HN-P-HK-CA", "HN-P-HK-TYT"}
    assert all(a.assigned_by == ward_manager.user for a in Assignment.objects.all())


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"units": "HN-X-SS", "due_on": 30}, "Hãy chọn một lựa chọn hợp lệ."),
        ({"units": "HN-P-HK", "due_on": -1}, "Hạn hoàn thành đã qua"),
        ({"units": "HN-P-HK", "due_on": "ngày mai"}, "Nhập một ngày hợp lệ."),
    ],
)
def test_units_outside_the_scope_and_bad_dates_are_refused(ward_manager, course, unit_tree, fields, message):
    due = fields["due_on"] if isinstance(fields["due_on"], str) else in_days(fields["due_on"])
    response = ward_manager.post(
        "/admin/assignments/assign/",
        {"course": course["course"].pk, "units": [unit_tree[fields["units"]].pk], "due_on": due},
    )

    assert response.status_code == 200 and message in response.content.decode()
    assert not Assignment.objects.exists()


def test_a_manager_cannot_change_an_assignment_outside_their_scope(ward_manager, course, unit_tree):
    elsewhere = AssignmentFactory(course=course["course"], unit=unit_tree["HN-X-SS"], due_on=in_days(9))

    assert ward_manager.get(f"/admin/assignments/edit/{elsewhere.pk}/").status_code == 404
    assert ward_manager.post(f"/admin/assignments/delete/{elsewhere.pk}/").status_code == 404
    assert Assignment.objects.filter(pk=elsewhere.pk).exists()
    assert "Xã Sóc Sơn" not in ward_manager.get("/admin/assignments/").content.decode()


def test_learners_below_the_unit_see_the_assignment_on_their_page_and_overdue_is_marked(
    client, course, unit_tree, learners
):
    assignments.assign(course["course"], [unit_tree["HN-P-HK"]], timezone.localdate() - datetime.timedelta(1), None)

    client.force_login(learners["police"])
    html = client.get("/my/").content.decode()
    assert "Được giao cho bạn" in html and course["course"].title in html and "Quá hạn" in html

    client.force_login(learners["commune"])
    assert "Được giao cho bạn" not in client.get("/my/").content.decode()


def test_enrolling_in_an_assigned_course_records_the_assignment_as_its_source(client, course, unit_tree, learners):
    assignments.assign(course["course"], [unit_tree["HN"]], timezone.localdate(), None)
    client.force_login(learners["health"])

    client.post(course["course"].url + "enrol/")

    assert Enrolment.objects.get(user=learners["health"]).source == "assignment"


def test_reminders_go_a_week_before_and_once_overdue_never_twice(course, unit_tree, learners):
    due = timezone.localdate() + datetime.timedelta(days=20)
    [assignment] = assignments.assign(course["course"], [unit_tree["HN-P-HK"]], due, None)
    CompletionFactory(user=learners["health"], course=course["course"])  # finished: no reminder for them

    def run(days_before_due):
        return assignments.send_reminders(today=due - datetime.timedelta(days=days_before_due))

    assert [run(10), run(7), run(3), run(0), run(-1), run(-5)] == [0, 1, 0, 0, 1, 0]
    assert [message.to for message in mail.outbox] == [["ca@example.org"], ["ca@example.org"]]
    assert mail.outbox[0].subject == "Khóa học được giao cho bạn sắp đến hạn"
    assert mail.outbox[1].subject == "Khóa học được giao cho bạn đã quá hạn"
    assert assignment.reminders.count() == 2


def test_reminder_mails_are_in_vietnamese_with_the_course_and_the_learners_page(course, unit_tree, learners):
    due = timezone.localdate() + datetime.timedelta(days=7)
    assignments.assign(course["course"], [unit_tree["HN-P-HK-CA"]], due, None)
    learner = learners["police"]

    with translation.override("en"):  # a command or a request in English sends them all the same
        assignments.send_reminders(today=due - datetime.timedelta(days=7))
        assignments.send_reminders(today=due + datetime.timedelta(days=1))

    due_soon, overdue = mail.outbox
    assert due_soon.to == overdue.to == ["ca@example.org"]
    assert due_soon.subject == "Khóa học được giao cho bạn sắp đến hạn"
    assert f"Chào {learner.full_name}," in due_soon.body
    title, due_text = course["course"].title, f"ngày {due.day} tháng {due.month} năm {due.year}"  # prose
    assert f"Đơn vị của bạn giao cho bạn hoàn thành khóa học “{title}” trước {due_text}." in due_soon.body
    assert overdue.subject == "Khóa học được giao cho bạn đã quá hạn"
    for message in (due_soon, overdue):
        assert f"Tiếp tục khóa học tại đây:\n{absolute_url(course['course'].url)}" in message.body
        assert f"Trang học tập của bạn: {absolute_url('/my/')}" in message.body


def test_the_reminder_command_is_safe_to_run_daily(course, unit_tree, learners):
    assignments.assign(course["course"], [unit_tree["HN-P-HK-CA"]], timezone.localdate(), None)
    for _ in range(2):
        call_command("send_assignment_reminders", stdout=io.StringIO())

    assert len(mail.outbox) == 1
