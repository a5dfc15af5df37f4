""" "Overdue" means one thing on /my/, in the reminders, the completion records and the unit summary
(courses.assignments.fulfilling): the due date has passed and the learner holds no completion of
the course that has not lapsed by the due date."""

import datetime

from django.core import mail
from django.utils import timezone

import pytest

from courses import assignments
from courses.models import AssignmentReminder, Completion, Enrolment, add_months
from reports.rows import CompletionRows
from reports.summary import figures_by_unit
from tests.accounts.factories import ManagerScopeFactory, OrganisationUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DUE = TODAY - datetime.timedelta(days=30)
LONG_BEFORE = DUE - datetime.timedelta(days=400)  # lapses 12 months later, before the due date

# learner: (completion dates, oldest first; whether a renewal is under way), overdue?
CASES = {
    "never completed": ([], False, True),
    "completed on time": ([DUE - datetime.timedelta(days=10)], False, False),
    "completed, lapsed before the due date": ([LONG_BEFORE], False, True),
    "completed, lapses on the due date": ([add_months(DUE, -12)], False, False),
    "completed after the due date": ([DUE + datetime.timedelta(days=5)], False, False),
    "renewed: the old lapsed, the new valid": ([LONG_BEFORE, DUE - datetime.timedelta(days=5)], False, False),
    "renewing: the old lapsed, the new not finished": ([LONG_BEFORE], True, True),
}


def take(learner, course, completed_on, renewing):
    """Enrolments and completions on these days, each a renewal of the one before."""
    for day in completed_on:
        Enrolment.objects.filter(user=learner, course=course).update(superseded=True)
        enrolment = Enrolment.objects.create(
            user=learner,
            course=course,
            completed_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))),
        )
        Completion.objects.create(
            enrolment=enrolment,
            user=learner,
            course=course,
            full_name=learner.full_name,
            course_title=course.title,
            area=course.area,
            hours=course.hours,
            completed_on=day,
        )
    if renewing:
        Enrolment.objects.filter(user=learner, course=course).update(superseded=True)
        Enrolment.objects.create(user=learner, course=course)


def test_every_place_agrees_on_who_is_overdue(client, course, unit_tree):
    course_page = course["course"]
    course_page.certificate_validity_months = 12
    course_page.save()
    ward = unit_tree["HN-P-HK"]
    assignments.assign(course_page, [ward], DUE, None)
    learners = {}
    for name, (completed_on, renewing, _overdue) in CASES.items():
        # One unit each, so the summary's count per unit says who.
        learner = UserFactory(full_name=name, unit=OrganisationUnitFactory(name=name, parent=ward))
        take(learner, course_page, completed_on, renewing)
        learners[name] = learner
    city_manager = UserFactory(roles=["Managers"])
    ManagerScopeFactory(user=city_manager, unit=unit_tree["HN"])
    expected = {name for name, (_days, _renewing, overdue) in CASES.items() if overdue}

    on_my_page = set()
    for name, learner in learners.items():
        client.force_login(learner)
        [assigned] = client.get("/my/").context["assigned"]
        if assigned["overdue"]:
            on_my_page.add(name)
    assignments.send_reminders(today=TODAY)
    reminded = set(
        AssignmentReminder.objects.filter(kind=AssignmentReminder.Kind.OVERDUE).values_list(
            "user__full_name", flat=True
        )
    )
    records = CompletionRows(city_manager, status="overdue", today=TODAY)
    in_records = {row.full_name for row in records}
    figures = figures_by_unit([course_page], today=TODAY)
    in_summary = {name for name, learner in learners.items() if figures[learner.unit_id].overdue}

    assert on_my_page == expected
    assert reminded == expected and len(mail.outbox) == len(expected)
    assert in_records == expected and records.count() == len(expected)
    assert in_summary == expected
    assert all(figures[learner.unit_id].overdue <= 1 for learner in learners.values())
