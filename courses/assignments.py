"""Assignments: which learners a unit's assignment covers, what a learner is expected to take, and
the reminders before and after the due date. The rules in one place for the admin, /my/ and commands."""

import datetime

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
    paths = [unit.path for unit in units]
    if not paths:
        return get_user_model().objects.none()
    below = Q()
    for path in paths:
        below |= Q(unit__path__startswith=path)
    return get_user_model().objects.filter(below, is_active=True)


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
    path, steplen = user.unit.path, OrganisationUnit.steplen
    ancestors_and_self = [path[:end] for end in range(steplen, len(path) + 1, steplen)]
    chosen = {}
    for assignment in (
        Assignment.objects.filter(unit__path__in=ancestors_and_self).select_related("course").order_by("due_on")
    ):
        chosen.setdefault(assignment.course_id, assignment)
    return list(chosen.values())


def assigned_courses(assignments, progress, completed_course_ids, today=None):
    """A learner's assignments as /my/ shows them: progress (None before enrolling), completed, overdue."""
    today = today or timezone.localdate()
    return [
        {
            "assignment": assignment,
            "course": assignment.course,
            "completed": assignment.course_id in completed_course_ids,
            "percent": progress[assignment.course_id].percent if assignment.course_id in progress else None,
            "overdue": assignment.due_on < today and assignment.course_id not in completed_course_ids,
        }
        for assignment in assignments
    ]


def is_assigned(user, course):
    return any(assignment.course_id == course.pk for assignment in assignments_for(user))


def send_reminders(today=None):
    """7 days before the due date and once overdue, one e-mail per learner and kind, never twice.

    Learners who completed the course (after it was assigned, or before) are not reminded.
    """
    today = today or timezone.localdate()
    sent = 0
    windows = (
        (AssignmentReminder.Kind.DUE_SOON, Q(due_on__gte=today, due_on__lte=today + datetime.timedelta(DUE_SOON_DAYS))),
        (AssignmentReminder.Kind.OVERDUE, Q(due_on__lt=today)),
    )
    for kind, window in windows:
        for assignment in Assignment.objects.filter(window).select_related("course", "unit"):
            done = Completion.objects.filter(course=assignment.course).values("user_id")
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
