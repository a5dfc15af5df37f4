"""Assignments: which learners a unit's assignment covers, what a learner is expected to take, and
the reminders before and after the due date. The rules in one place for the admin, /my/ and commands."""

import datetime
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.emails import send_user_email
from accounts.models import OrganisationUnit
from cms.links import absolute_url
from courses.models import Assignment, AssignmentReminder, Completion

DUE_SOON_DAYS = 7


def learners_in(units):
    """Active learners whose unit is one of these units or below one of them."""
    return get_user_model().objects.filter(OrganisationUnit.subtree_q(units), is_active=True)


def assign(course, units, due_on, assigned_by):
    """One assignment per unit (a unit already assigned the course gets the new due date)."""
    with transaction.atomic():
        return [
            Assignment.objects.update_or_create(
                course=course, unit=unit, defaults={"due_on": due_on, "assigned_by": assigned_by}
            )[0]
            for unit in units
        ]


def assignments_for(user):
    """The assignments that cover this learner: their unit's and its ancestors', earliest due first.

    A course assigned at two levels counts once, with the earlier due date.
    """
    if user.unit_id is None:
        return []
    chosen = {}
    for assignment in (
        Assignment.objects.filter(unit__path__in=user.unit.ancestor_paths()).select_related("course").order_by("due_on")
    ):
        chosen.setdefault(assignment.course_id, assignment)
    return list(chosen.values())


def fulfilling(course, due_on):
    """A Q on Completion: the completions that fulfil an assignment of `course` due on `due_on`.

    The one meaning of "overdue", for /my/, the reminders, the completion records and the unit
    summary: an assignment is overdue for a learner once its due date has passed and the learner
    holds no completion of the course that has not lapsed by the due date. A completion made after
    the due date fulfils it (late, but done); one that lapsed before the due date does not, and a
    renewal's completion does. A learner covered by two assignments of a course answers to the
    earlier due date.
    """
    return Completion.valid_on(course, due_on)


def fulfilled_course_ids(user, assignments):
    """The courses of these assignments (one per course) that the learner's completions fulfil."""
    if not assignments:
        return set()
    fulfilled = reduce(or_, (fulfilling(assignment.course, assignment.due_on) for assignment in assignments))
    return set(Completion.objects.filter(fulfilled, user=user).values_list("course_id", flat=True))


def assigned_courses(assignments, progress, fulfilled_ids, today=None):
    """A learner's assignments as /my/ shows them: progress (None before enrolling), completed (the
    assignment fulfilled, see `fulfilling`), overdue."""
    today = today or timezone.localdate()
    return [
        {
            "assignment": assignment,
            "course": assignment.course,
            "completed": assignment.course_id in fulfilled_ids,
            "percent": progress[assignment.course_id].percent if assignment.course_id in progress else None,
            "overdue": assignment.due_on < today and assignment.course_id not in fulfilled_ids,
        }
        for assignment in assignments
    ]


def is_assigned(user, course):
    return any(assignment.course_id == course.pk for assignment in assignments_for(user))


def send_reminders(today=None):
    """7 days before the due date and once overdue, one e-mail per learner and kind, never twice.

    Learners whose completion fulfils the assignment (see `fulfilling`) are not reminded.
    """
    today = today or timezone.localdate()
    sent = 0
    windows = (
        (AssignmentReminder.Kind.DUE_SOON, Q(due_on__gte=today, due_on__lte=today + datetime.timedelta(DUE_SOON_DAYS))),
        (AssignmentReminder.Kind.OVERDUE, Q(due_on__lt=today)),
    )
    for kind, window in windows:
        for assignment in Assignment.objects.filter(window).select_related("course", "unit"):
            done = Completion.objects.filter(fulfilling(assignment.course, assignment.due_on)).values("user_id")
            reminded = AssignmentReminder.objects.filter(assignment=assignment, kind=kind).values("user_id")
            learners = learners_in([assignment.unit]).exclude(pk__in=done).exclude(pk__in=reminded)
            for learner in learners.iterator():
                with transaction.atomic():
                    _reminder, created = AssignmentReminder.objects.get_or_create(
                        assignment=assignment, user=learner, kind=kind
                    )
                    if created:
                        send_assignment_mail(assignment, learner, kind, today)
                        sent += 1
    return sent


def send_assignment_mail(assignment, learner, kind, today):
    context = {
        "assignment": assignment,
        "learner": learner,
        "days": (assignment.due_on - today).days,
        "course_url": absolute_url(assignment.course.url),
        "dashboard_url": absolute_url(reverse("dashboard")),
    }
    send_user_email(learner, f"courses/emails/assignment_{kind}", context)
