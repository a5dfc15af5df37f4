"""Unit summary and dashboard figures: counted per unit by grouped queries, then added up the tree.

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
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import OrganisationUnit
from accounts.scopes import visible_units
from certificates.models import Certificate
from courses.assignments import fulfilling
from courses.models import Assignment, Completion, CoursePage, Enrolment
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
class SummaryRow:
    unit: OrganisationUnit
    depth: int
    figures: Figures
    is_subtotal: bool = False
    children: list = field(default_factory=list)


def chosen_courses(choice):
    """ "area-1", "area-3" or a course id: the live courses the summary counts."""
    courses = CoursePage.objects.live()
    if choice in ("area-1", "area-3"):
        return list(courses.filter(area=int(choice[-1])))
    return list(courses.filter(pk=int(choice)))


def figures_by_unit(courses, start=None, end=None, today=None):
    """{unit id: Figures} for the learners directly in each unit (not yet added up the tree)."""
    today = today or timezone.localdate()
    course_ids = [course.pk for course in courses]
    units = {unit.pk: unit.path for unit in OrganisationUnit.objects.only("path")}
    figures = defaultdict(Figures)
    learners = get_user_model().objects.filter(is_active=True).count_per_unit()
    for unit_id, count in learners.items():
        figures[unit_id].learners = count

    # Which units each course is assigned to (with the units below), and the earliest due date.
    coverage = defaultdict(dict)  # course id -> {unit id: due date}
    assignments = Assignment.objects.filter(course_id__in=course_ids).values_list("course_id", "unit__path", "due_on")
    for course_id, assigned_path, due_on in assignments:
        for unit_id, path in units.items():
            if OrganisationUnit.path_is_below(path, [assigned_path]):
                previous = coverage[course_id].get(unit_id)
                coverage[course_id][unit_id] = min(previous, due_on) if previous else due_on

    def grouped(queryset, count=None):
        """(course id, unit id, learners) triples: each learner-course pair counts once."""
        return (
            queryset.values("course_id", "user__unit_id")
            .annotate(count=count or Count("user_id", distinct=True))
            .values_list("course_id", "user__unit_id", "count")
        )

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
    enrolled_pairs = grouped(enrolments) if start or end else grouped(enrolments.filter(superseded=False), Count("pk"))
    # Completions in the period (of all time without one), and those that fulfil each past due
    # date (for the overdue): one count of learners per (course, due date).
    course_by_id = {course.pk: course for course in courses}
    late = sorted({(course_id, due_on) for course_id, covered in coverage.items() for due_on in covered.values()})
    late = [(course_id, due_on) for course_id, due_on in late if due_on < today]
    fulfilled_counts = {
        f"fulfilled_{index}": Count("user_id", distinct=True, filter=fulfilling(course_by_id[course_id], due_on))
        for index, (course_id, due_on) in enumerate(late)
    }
    completed_by_pair, fulfilled, completed_pairs = {}, {}, []
    for course_id, unit_id, in_period, *fulfilled_by_due in (
        Completion.objects.filter(course_id__in=course_ids, user__is_active=True)
        .values("course_id", "user__unit_id")
        .annotate(
            in_period=Count("user_id", distinct=True, filter=completed_in_period),
            **fulfilled_counts,
        )
        .values_list("course_id", "user__unit_id", "in_period", *fulfilled_counts)
    ):
        completed_by_pair[course_id, unit_id] = in_period
        for (late_course_id, due_on), count in zip(late, fulfilled_by_due, strict=True):
            if late_course_id == course_id:
                fulfilled[course_id, unit_id, due_on] = count
        completed_pairs.append((course_id, unit_id, in_period))
    certificates = Certificate.objects.current().filter(issued_in_period, course_id__in=course_ids)

    for covered in coverage.values():
        for unit_id in covered:
            figures[unit_id].assigned += learners.get(unit_id, 0)
            figures[unit_id].expected += learners.get(unit_id, 0)
    for course_id, unit_id, count in enrolled_pairs:
        if unit_id is None:
            continue
        figures[unit_id].enrolled += count
        if unit_id not in coverage.get(course_id, {}):
            figures[unit_id].expected += count  # enrolled without an assignment
    for _course_id, unit_id, count in completed_pairs:
        if unit_id is not None:
            figures[unit_id].completed += count
    for course_id, covered in coverage.items():
        for unit_id, due_on in covered.items():
            done = min(learners.get(unit_id, 0), completed_by_pair.get((course_id, unit_id), 0))
            figures[unit_id].assigned_completed += done
            if due_on < today:
                figures[unit_id].overdue += max(
                    0, learners.get(unit_id, 0) - fulfilled.get((course_id, unit_id, due_on), 0)
                )
    for _course_id, unit_id, count in grouped(certificates):
        if unit_id is not None:
            figures[unit_id].certificates += count
    return figures


def unit_summary(user, courses, start=None, end=None, today=None, unit=None):
    """Rows in tree order for the units `user` may see (only `unit` and those below it when given),
    each with its subtree's figures, and the total.

    The unit summary report and the dashboard's rate chart both read their figures from here.
    """
    direct = figures_by_unit(courses, start, end, today)
    units = visible_units(user)
    if unit is not None:
        units = units.below([unit])  # within the scope: never more than the user sees
    units = list(units.order_by("path"))
    top = min((unit.depth for unit in units), default=1)
    rows = {unit.path: SummaryRow(unit=unit, depth=unit.depth - top + 1, figures=Figures()) for unit in units}
    for unit in reversed(units):  # children before parents: each adds itself into its parent
        row = rows[unit.path]
        row.figures.add(direct.get(unit.pk, Figures()))
        parent = rows.get(unit.parent_path)
        if parent is not None:
            parent.figures.add(row.figures)
            parent.is_subtotal = True
    total = Figures()
    for row in rows.values():
        if row.unit.parent_path not in rows:  # a top unit of the scope
            total.add(row.figures)
    return [rows[unit.path] for unit in units], total
