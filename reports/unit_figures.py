"""The unit summary's figures counted ahead of time, so that reading them costs a few small queries
whatever the number of learners (issue 17).

What is stored (reports.models), counted from the records by `refresh`:
- per unit, its active learners;
- per course and unit an assignment covers, the earliest due date and the learners holding a
  completion that fulfils it (whether it is past is decided when read: overdue follows today);
- per course, unit and day, month and year, the enrolments started, completions and current
  certificates issued, and the repeats of a learner in a course with the day of their one before.

A period's learner-course pairs are the rows in it less the repeats whose one before is in it too
(a learner who renewed counts once), read from whole years, whole months and the days at the edges
(`spans`). The figures are those of `reports.figures.live_facts`, which the tests hold them to.

Freshness: every change that moves a figure (`WATCHED`) asks, once its transaction commits, for a
refresh `REFRESH_DELAY` later; the changes before it run share that one refresh (a cache key), so a
burst of a thousand completions queues one or two. `manage.py refresh_unit_figures`, run by a timer,
is the safety net for writes no signal tells of (queryset updates, a lost queue). Before any refresh
(a fresh install), the first read counts them; where no worker runs the queue (the immediate
backend: development, tests), a read after a change counts them again first.
"""

import datetime
import logging
import time

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum, Window
from django.db.models.functions import Lag, TruncDate
from django.db.models.signals import post_delete, post_save
from django.tasks import task
from django.utils import timezone

from accounts.models import OrganisationUnit
from certificates.models import Certificate
from courses.models import Assignment, Completion, CoursePage, Enrolment
from reports.figures import UnitCourseFacts, standing_facts
from reports.models import UnitCourseActivity, UnitCourseAssignment, UnitCourseRepeat, UnitFiguresRefresh, UnitLearners

logger = logging.getLogger("reports")

REFRESH_DELAY = datetime.timedelta(seconds=30)  # the changes of these seconds share one refresh
QUEUED_KEY = "reports:unit-figures:queued"
CHANGED_KEY = "reports:unit-figures:changed"  # without a worker: when a figure last changed
BATCH = 5000
REFRESH_WORK_MEM = "128MB"  # for the refresh's transaction only (PostgreSQL's default is 4MB)
Span = UnitCourseActivity.Span
Figure = UnitCourseRepeat.Figure

# The models whose rows move a figure, and the fields that do (a save naming only others does not).
WATCHED = {
    Enrolment: {"user", "course", "started_at", "superseded"},
    Completion: {"user", "course", "completed_on"},
    Certificate: {"user", "course", "status", "issued_on"},
    Assignment: {"course", "unit", "due_on"},
    get_user_model(): {"unit", "is_active"},
    OrganisationUnit: {"path"},
    CoursePage: {"certificate_validity_months"},
}


# Reading


def refreshed_at():
    """When the stored figures were counted. Counts them first if they never were, or if no worker
    counts them (the immediate backend) and something changed since."""
    counted_at = UnitFiguresRefresh.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()
    if counted_at is None or (without_worker() and changed_since(counted_at)):
        counted_at = refresh()
    return counted_at


def stored_facts(courses, start=None, end=None, unit_ids=None):
    """The facts of reports.figures for these courses and period (None: unbounded), from the stored
    figures; only the units of `unit_ids` when given. Four queries, whatever the learners."""
    course_ids = [course.pk for course in courses]
    in_units = Q(unit_id__in=unit_ids) if unit_ids is not None else Q()
    facts = UnitCourseFacts(learners=dict(UnitLearners.objects.filter(in_units).values_list("unit_id", "learners")))
    for course_id, unit_id, due_on, fulfilled in UnitCourseAssignment.objects.filter(
        in_units, course_id__in=course_ids
    ).values_list("course_id", "unit_id", "due_on", "fulfilled"):
        facts.due_on[course_id, unit_id] = due_on
        facts.fulfilled[course_id, unit_id] = fulfilled
    activity = (
        UnitCourseActivity.objects.filter(in_units, spans_q(start, end), course_id__in=course_ids)
        .values("course_id", "unit_id")
        .annotate(enrolled=Sum("enrolled"), completed=Sum("completed"), certificates=Sum("certificates"))
        .values_list("course_id", "unit_id", "enrolled", "completed", "certificates")
    )
    for course_id, unit_id, enrolled, completed, certificates in activity:
        facts.enrolled[course_id, unit_id] = enrolled
        facts.completed[course_id, unit_id] = completed
        facts.certificates[course_id, unit_id] = certificates
    # A repeat whose one before is in the period too: the learner is already counted.
    repeats_in_period = Q(on__lte=end) if end else Q()
    if start:
        repeats_in_period &= Q(previous_on__gte=start)
    repeats = (
        UnitCourseRepeat.objects.filter(in_units, repeats_in_period, course_id__in=course_ids)
        .values("course_id", "unit_id", "figure")
        .annotate(count=Sum("count"))
        .values_list("course_id", "unit_id", "figure", "count")
    )
    for course_id, unit_id, figure, count in repeats:
        counts = getattr(facts, figure)
        counts[course_id, unit_id] -= count
    for counts in (facts.enrolled, facts.completed, facts.certificates):
        for key in [key for key, count in counts.items() if not count]:
            del counts[key]
    return facts


def spans_q(start, end):
    """A condition on UnitCourseActivity: the rows whose day, month or year lies in [start, end]."""
    condition = Q(pk__in=[])
    for span, first, last in spans(start, end):
        bounds = Q(span=span)
        if first is not None:
            bounds &= Q(starts_on__gte=first)
        if last is not None:
            bounds &= Q(starts_on__lte=last)
        condition |= bounds
    return condition


def spans(start, end):
    """[(span, first, last)]: the days, months and years (by their first day, from first to last,
    None unbounded) that together make [start, end] exactly, the fewest rows: whole years, the
    whole months beside them, the days at the edges."""
    if start is not None and end is not None and start > end:
        return []
    return _split(start, end, Span.YEAR)


FINER = {Span.YEAR: Span.MONTH, Span.MONTH: Span.DAY}


def _beginning(day, span):
    return {Span.YEAR: day.replace(month=1, day=1), Span.MONTH: day.replace(day=1), Span.DAY: day}[span]


def _next(day, span):
    """The first day of the span after the one `day` begins."""
    if span == Span.YEAR:
        return day.replace(year=day.year + 1)
    if span == Span.MONTH:
        return (day + datetime.timedelta(days=32)).replace(day=1)
    return day + datetime.timedelta(days=1)


def _split(start, end, span):
    if span == Span.DAY:
        return [(span, start, end)]
    one_day = datetime.timedelta(days=1)
    # The first and last whole spans, by their first day.
    first = start if start is None or _beginning(start, span) == start else _next(_beginning(start, span), span)
    last = None
    if end is not None:
        last = _beginning(end, span)
        if _next(last, span) - one_day != end:
            last = _beginning(last - one_day, span)
    if first is not None and last is not None and first > last:
        return _split(start, end, FINER[span])
    parts = [(span, first, last)]
    if start is not None and start < first:
        parts += _split(start, first - one_day, FINER[span])
    if end is not None and _next(last, span) <= end:
        parts += _split(_next(last, span), end, FINER[span])
    return parts


# Counting


def refresh():
    """Count every figure again from the records and replace the stored ones, in one transaction
    that holds the refresh row, so two refreshes never interleave. Returns when it began: every
    change committed before that is in the figures."""
    began = time.perf_counter()
    with transaction.atomic(using=DEFAULT_DB_ALIAS):
        marker, _created = UnitFiguresRefresh.objects.select_for_update().get_or_create(pk=1)
        connection = transaction.get_connection(DEFAULT_DB_ALIAS)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # the grouping of a city's rows, in memory rather than on disk
                cursor.execute("SET LOCAL work_mem = %s", [REFRESH_WORK_MEM])
        counted_at = timezone.now()
        courses = list(CoursePage.objects.using(DEFAULT_DB_ALIAS).all())
        standing = standing_facts(courses, using=DEFAULT_DB_ALIAS)
        for model in (UnitLearners, UnitCourseAssignment, UnitCourseActivity, UnitCourseRepeat):
            model.objects.all().delete()
        insert_rows(UnitLearners, ("unit_id", "learners"), standing.learners.items())
        insert_rows(
            UnitCourseAssignment,
            ("course_id", "unit_id", "due_on", "fulfilled"),
            (
                (course_id, unit_id, due_on, standing.fulfilled.get((course_id, unit_id), 0))
                for (course_id, unit_id), due_on in standing.due_on.items()
            ),
        )
        insert_selected(UnitCourseActivity, ACTIVITY_COLUMNS, *activity_select())
        insert_selected(UnitCourseRepeat, REPEAT_COLUMNS, *repeats_select())
        marker.refreshed_at = counted_at
        marker.seconds = time.perf_counter() - began
        marker.save()
    return counted_at


def events():
    """(figure, the rows it counts of learners in a unit, all rows of the kind whose learner and
    course may make a repeat, the rows' day), read on the primary."""
    in_a_unit = Q(user__unit__isnull=False)
    active = in_a_unit & Q(user__is_active=True)
    enrolments = Enrolment.objects.using(DEFAULT_DB_ALIAS)
    completions = Completion.objects.using(DEFAULT_DB_ALIAS)
    # As the live count: current certificates, of active learners or not.
    certificates = Certificate.objects.using(DEFAULT_DB_ALIAS).current()
    return [
        (Figure.ENROLLED, enrolments.filter(active).annotate(day=TruncDate("started_at")), enrolments, "day"),
        (Figure.COMPLETED, completions.filter(active), completions, "completed_on"),
        (Figure.CERTIFICATES, certificates.filter(in_a_unit), certificates, "issued_on"),
    ]


ACTIVITY_COLUMNS = ("course_id", "unit_id", "span", "starts_on", "enrolled", "completed", "certificates")
REPEAT_COLUMNS = ("course_id", "unit_id", "figure", "on", "previous_on", "count")


def compiled(queryset):
    return queryset.query.get_compiler(DEFAULT_DB_ALIAS).as_sql()


# The refresh's counts are made by the database (INSERT … SELECT): a city has millions of
# enrolments, and the day rows alone, added up in Python, made a refresh take minutes. The
# querysets are the ORM's (events()), so that SQLite and PostgreSQL both run them.


def activity_select():
    """(with, select, params): the day rows (a grouped query per figure, added up by course, unit
    and day) and the month and year rows that add them up, as ACTIVITY_COLUMNS."""
    connection = transaction.get_connection(DEFAULT_DB_ALIAS)
    figures = list(Figure.values)  # enrolled, completed, certificates: a column each
    parts, params = [], []
    for figure, queryset, _kind, day in events():
        grouped = queryset.order_by().values(c=F("course_id"), u=F("user__unit_id"), d=F(day)).annotate(n=Count("pk"))
        sql, part_params = compiled(grouped)
        counts = ", ".join(f"{'n' if name == figure else '0'} AS {name}" for name in figures)
        parts.append(f"SELECT c, u, d, {counts} FROM ({sql}) AS {figure}_rows")
        params += part_params
    sums = ", ".join(f"SUM({name})" for name in figures)
    days = (
        "SELECT c, u, d, "
        + ", ".join(f"SUM({name}) AS {name}" for name in figures)
        + " FROM ("
        + " UNION ALL ".join(f"SELECT * FROM ({part}) AS p{index}" for index, part in enumerate(parts))
        + ") AS figure_rows GROUP BY c, u, d"
    )
    selects, select_params = [f"SELECT c, u, %s, d, {', '.join(figures)} FROM days"], [Span.DAY.value]
    for span in (Span.MONTH, Span.YEAR):
        starts_on, trunc_params = connection.ops.date_trunc_sql(span.value, "d", ())
        selects.append(f"SELECT c, u, %s, {starts_on}, {sums} FROM days GROUP BY 1, 2, 4")
        select_params += [span.value, *trunc_params]
    return f"WITH days AS ({days})", " UNION ALL ".join(selects), [*params, *select_params]


def repeats_select():
    """(with, select, params): each row of a figure after the first of its learner and course, with
    the day of the one before (by day, then by id: LAG), counted by course, unit, day and day before,
    as REPEAT_COLUMNS."""
    # A learner has a second enrolment, completion or current certificate in a course only after
    # renewing it, which supersedes their enrolment before: only those pairs are read (a few, found
    # by the index on enrolment (course, superseded, user, …)), not the city's millions.
    renewed = Enrolment.objects.using(DEFAULT_DB_ALIAS).filter(
        user_id=OuterRef("user_id"), course_id=OuterRef("course_id"), superseded=True
    )
    parts, params = [], []
    for figure, queryset, _kind, day in events():
        # The learner is the same, so is whether they are active and in a unit: the filtered rows
        # of a learner and course are all of them or none.
        before = Window(Lag(day), partition_by=[F("user_id"), F("course_id")], order_by=[F(day).asc(), F("pk").asc()])
        ordered = (
            queryset.order_by()
            .filter(Exists(renewed))
            .annotate(before=before)
            .values(c=F("course_id"), u=F("user__unit_id"), d=F(day), b=F("before"))
        )
        sql, part_params = compiled(ordered)
        parts.append(
            f"SELECT c, u, %s, d, b, COUNT(*) FROM ({sql}) AS {figure}_rows WHERE b IS NOT NULL GROUP BY 1, 2, 4, 5"
        )
        params += [figure.value, *part_params]
    return "", " UNION ALL ".join(f"SELECT * FROM ({part}) AS p{index}" for index, part in enumerate(parts)), params


def insert_selected(model, columns, with_clause, select, params):
    """WITH … INSERT … SELECT: the select's rows, in the order of `columns`, into the model's table."""
    connection = transaction.get_connection(DEFAULT_DB_ALIAS)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(
        connection.ops.quote_name(model._meta.get_field(column.removesuffix("_id")).column) for column in columns
    )
    with connection.cursor() as cursor:
        cursor.execute(f"{with_clause} INSERT INTO {table} ({names}) {select}", params)


def insert_rows(model, columns, rows):
    """Write plain tuples into the model's table: by COPY on PostgreSQL (a refresh writes tens of
    thousands of rows, which bulk_create's model instances and parameter lists made take most of
    its time), by bulk_create elsewhere."""
    connection = transaction.get_connection(DEFAULT_DB_ALIAS)
    if connection.vendor != "postgresql":
        model.objects.bulk_create((model(**dict(zip(columns, row, strict=True))) for row in rows), batch_size=BATCH)
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(
        connection.ops.quote_name(model._meta.get_field(column.removesuffix("_id")).column) for column in columns
    )
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


@task(backend="background")
def refresh_unit_figures():
    """The queued refresh (see `request_refresh`)."""
    refresh()


# Asking for a refresh


def without_worker():
    """Whether the queue runs tasks at once, in the request (the immediate backend): no worker."""
    return not refresh_unit_figures.get_backend().supports_defer


def changed_since(counted_at):
    changed = cache.get(CHANGED_KEY)
    return changed is not None and changed >= counted_at.timestamp()


def figures_changed(sender, instance=None, update_fields=None, **kwargs):
    """A receiver of post_save and post_delete on the WATCHED models."""
    if update_fields is not None and not WATCHED[sender] & set(update_fields):
        return
    if without_worker():
        cache.set(CHANGED_KEY, time.time(), None)
    transaction.on_commit(request_refresh, robust=True)


def request_refresh():
    """Queue one refresh REFRESH_DELAY from now, unless one is queued already (the cache key lasts
    as long, so the changes until the refresh starts are in it). Without a worker, refresh now."""
    try:
        if without_worker():
            refresh_unit_figures.enqueue()
        elif cache.add(QUEUED_KEY, True, timeout=REFRESH_DELAY.total_seconds()):
            refresh_unit_figures.using(run_after=timezone.now() + REFRESH_DELAY).enqueue()
    except Exception:
        logger.exception("The unit figures' refresh could not be queued; refresh_unit_figures will count them.")


def connect_receivers():
    for model in WATCHED:
        post_save.connect(figures_changed, sender=model, dispatch_uid=f"unit_figures.saved.{model._meta.label}")
        post_delete.connect(figures_changed, sender=model, dispatch_uid=f"unit_figures.deleted.{model._meta.label}")
