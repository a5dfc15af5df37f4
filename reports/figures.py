"""What the unit summary's figures are made of, and how they are made: the one set of rules.

Definitions (also in docs/decisions.md), for the chosen courses and period:
- learners: active users of the unit and the units below it;
- assigned: learner-course pairs an assignment covers;
- enrolled: learner-course pairs with an enrolment started in the period;
- completed: learner-course pairs completed in the period;
- completion rate: completed ÷ the pairs assigned or enrolled (either), in percent;
- assigned completed: assigned pairs completed in the period (of all time without a period);
- assigned completion rate: assigned completed ÷ assigned, in percent (the dashboard's chart);
- overdue: assigned pairs past their due date with no completion that fulfils it (one that has not
  lapsed by the due date: courses.assignments.fulfilling);
- certificates: certificates issued in the period (re-issues excluded).

A unit's figures come from `UnitCourseFacts` by `combine`: the facts are counted either live from
the records (`live_facts`, the reference, here) or read from the figures counted ahead of time
(reports.unit_figures, which the summary reads).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import OrganisationUnit
from certificates.models import Certificate
from courses.assignments import fulfilling
from courses.models import Assignment, Completion, Enrolment
from reports.rows import start_of

FIGURES = ("learners", "assigned", "enrolled", "completed", "overdue", "certificates", "assigned_completed")


@dataclass
class Figures:
    learners: int = 0
    assigned: int = 0
    enrolled: int = 0
    completed: int = 0
    overdue: int = 0
    certificates: int = 0
    assigned_completed: int = 0  # assigned pairs completed in the period
    expected: int = 0  # assigned or enrolled, for the rate

    def add(self, other):
        for name in (*FIGURES, "expected"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def completion_rate(self):
        return round(100 * self.completed / self.expected) if self.expected else None

    @property
    def assigned_completion_rate(self):
        return round(100 * self.assigned_completed / self.assigned) if self.assigned else None


@dataclass
class UnitCourseFacts:
    """Counts of the learners directly in each unit; keys are unit ids, or (course id, unit id)."""

    learners: dict = field(default_factory=dict)  # active learners
    due_on: dict = field(default_factory=dict)  # the earliest due date of an assignment covering the unit
    # Active learners holding a completion that fulfils that due date (at least for those past).
    fulfilled: dict = field(default_factory=dict)
    enrolled: dict = field(default_factory=dict)  # pairs with an enrolment started in the period
    completed: dict = field(default_factory=dict)  # pairs completed in the period
    certificates: dict = field(default_factory=dict)  # pairs with a current certificate issued in it


def combine(facts, today):
    """{unit id: Figures} for the learners directly in each unit (not yet added up the tree).
    Overdue is the one figure that depends on `today`: the due dates before it."""
    figures = defaultdict(Figures)
    learners = facts.learners
    for unit_id, count in learners.items():
        figures[unit_id].learners = count
    for (course_id, unit_id), due_on in facts.due_on.items():
        covered = learners.get(unit_id, 0)
        figures[unit_id].assigned += covered
        figures[unit_id].expected += covered
        figures[unit_id].assigned_completed += min(covered, facts.completed.get((course_id, unit_id), 0))
        if due_on < today:
            figures[unit_id].overdue += max(0, covered - facts.fulfilled.get((course_id, unit_id), 0))
    for (course_id, unit_id), count in facts.enrolled.items():
        figures[unit_id].enrolled += count
        if (course_id, unit_id) not in facts.due_on:
            figures[unit_id].expected += count  # enrolled without an assignment
    for (_course_id, unit_id), count in facts.completed.items():
        figures[unit_id].completed += count
    for (_course_id, unit_id), count in facts.certificates.items():
        figures[unit_id].certificates += count
    return figures


def coverage(course_ids, unit_paths, using=None):
    """{(course id, unit id): the earliest due date} of the assignments of these courses, for every
    unit they cover (the assigned unit and those below it). `unit_paths`: {unit id: path}."""
    assigned = defaultdict(dict)  # course id -> {assigned unit's path: due date}
    for course_id, path, due_on in (
        Assignment.objects.using(using)
        .filter(course_id__in=course_ids)
        .values_list("course_id", "unit__path", "due_on")
    ):
        assigned[course_id][path] = due_on
    due = {}
    for unit_id, path in unit_paths.items():
        ancestors = OrganisationUnit.ancestor_paths_of(path)
        for course_id, due_by_path in assigned.items():
            dates = [due_by_path[above] for above in ancestors if above in due_by_path]
            if dates:
                due[course_id, unit_id] = min(dates)
    return due


def live_facts(courses, start=None, end=None, today=None):
    """The facts counted from the records: the reference the figures counted ahead of time must equal."""
    today = today or timezone.localdate()
    facts = standing_facts(courses, due_before=today)
    facts.enrolled, facts.completed, facts.certificates = activity_facts(courses, start, end)
    return facts


def standing_facts(courses, due_before=None, using=None):
    """Learners per unit, and per course and unit an assignment covers, the due date and the learners
    holding a completion that fulfils it: for the due dates before `due_before` (all `combine` needs),
    or for all of them without it (what reports.unit_figures stores, as today moves on). Read from
    the database `using` (None: as the router says)."""
    course_ids = [course.pk for course in courses]
    units = dict(OrganisationUnit.objects.using(using).values_list("pk", "path"))
    facts = UnitCourseFacts(learners=get_user_model().objects.using(using).filter(is_active=True).count_per_unit())
    facts.due_on = coverage(course_ids, units, using)
    course_by_id = {course.pk: course for course in courses}
    dues = sorted({(course_id, due_on) for (course_id, _unit_id), due_on in facts.due_on.items()})
    if due_before is not None:
        dues = [(course_id, due_on) for course_id, due_on in dues if due_on < due_before]
    if not dues:
        return facts
    # One count of learners per (course, due date), from one grouped query.
    fulfilled_counts = {
        f"fulfilled_{index}": Count("user_id", distinct=True, filter=fulfilling(course_by_id[course_id], due_on))
        for index, (course_id, due_on) in enumerate(dues)
    }
    for course_id, unit_id, *fulfilled_by_due in (
        Completion.objects.using(using)
        .filter(course_id__in={course_id for course_id, _due_on in dues}, user__is_active=True)
        .values("course_id", "user__unit_id")
        .annotate(**fulfilled_counts)
        .values_list("course_id", "user__unit_id", *fulfilled_counts)
    ):
        for (due_course_id, due_on), count in zip(dues, fulfilled_by_due, strict=True):
            if due_course_id == course_id and facts.due_on.get((course_id, unit_id)) == due_on and count:
                facts.fulfilled[course_id, unit_id] = count
    return facts


def activity_facts(courses, start=None, end=None):
    """(enrolled, completed, certificates) in the period (None: unbounded), each {(course id, unit
    id): learner-course pairs}."""
    course_ids = [course.pk for course in courses]

    def grouped(queryset, count=None):
        """{(course id, unit id): learners}: each learner-course pair counts once."""
        rows = (
            queryset.values("course_id", "user__unit_id")
            .annotate(count=count or Count("user_id", distinct=True))
            .values_list("course_id", "user__unit_id", "count")
        )
        return {(course_id, unit_id): count for course_id, unit_id, count in rows if unit_id is not None and count}

    started_in_period, completed_in_period, issued_in_period = Q(), Q(), Q()
    if start:
        started_in_period &= Q(started_at__gte=start_of(start))
        completed_in_period &= Q(completed_on__gte=start)
        issued_in_period &= Q(issued_on__gte=start)
    if end:
        started_in_period &= Q(started_at__lt=start_of(end + datetime.timedelta(days=1)))
        completed_in_period &= Q(completed_on__lte=end)
        issued_in_period &= Q(issued_on__lte=end)

    enrolments = Enrolment.objects.filter(started_in_period, course_id__in=course_ids, user__is_active=True)
    # Without a period, each enrolled pair has exactly one enrolment not superseded by a renewal:
    # counted from the index on enrolment (course, superseded, user, completed_at), with no DISTINCT.
    enrolled = grouped(enrolments) if start or end else grouped(enrolments.filter(superseded=False), Count("pk"))
    completed = grouped(Completion.objects.filter(completed_in_period, course_id__in=course_ids, user__is_active=True))
    certificates = grouped(Certificate.objects.current().filter(issued_in_period, course_id__in=course_ids))
    return enrolled, completed, certificates
