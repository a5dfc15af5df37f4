"""The unit summary's figures counted ahead of time (reports.unit_figures): equal to the live count
from the records after any sequence of what learners and managers do, refreshed after each kind of
change (a burst sharing one refresh), read in a fixed number of queries, and shown with their time."""

import datetime
import re
from unittest import mock

from django.core.cache import cache
from django.core.management import call_command
from django.tasks import task_backends
from django.test import override_settings
from django.utils import timezone, translation

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certificates import services as certificate_services
from certificates.models import Certificate
from courses import assignments
from courses import services as course_services
from courses.models import Assignment, Completion
from reports import unit_figures
from reports.figures import Figures, combine, live_facts
from reports.models import UnitCourseActivity, UnitFiguresRefresh
from reports.summary import figures_as_of, figures_by_unit, unit_summary
from tests.accounts.factories import OrganisationUnitFactory, UserFactory
from tests.courses.factories import CourseIndexPageFactory, CoursePageFactory, ModulePageFactory

pytestmark = pytest.mark.django_db

UNITS = ("HN-P-HK-TYT", "HN-P-HK-CA", "HN-X-SS", "HN-SYT", None)
WITH_A_WORKER = {
    "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
    "background": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"},
}


def queued_refreshes():
    return [
        result
        for result in task_backends["background"].results
        if result.task.name == unit_figures.refresh_unit_figures.name
    ]


@pytest.fixture
def worker_queue():
    """The background queue as production has it (tasks wait for a worker), recording what is queued."""
    with override_settings(TASKS=WITH_A_WORKER):
        cache.delete(unit_figures.QUEUED_KEY)
        yield task_backends["background"]
        cache.delete(unit_figures.QUEUED_KEY)


@pytest.fixture
def two_courses(home_page):
    """A course valid a month (renewals) and one valid for ever, each of one lesson."""
    catalogue = CourseIndexPageFactory(parent=home_page)
    courses = []
    for months in (1, None):
        course = CoursePageFactory(parent=catalogue, area=1, certificate_validity_months=months)
        courses.append((course, ModulePageFactory(parent=course)))
    return courses


def stored_direct(courses, start, end, today):
    return nonzero(combine(unit_figures.stored_facts(courses, start, end), today))


def nonzero(figures):
    return {unit_id: vars(f) for unit_id, f in figures.items() if vars(f) != vars(Figures())}


# --- Equal to the live count, whatever happened -------------------------------------------------

LEARNERS = 5
OPERATIONS = st.one_of(
    st.tuples(st.just("advance"), st.integers(0, 45)),
    st.tuples(
        st.sampled_from(["enrol", "complete", "issue", "revoke", "reissue"]),
        st.integers(0, LEARNERS - 1),
        st.integers(0, 1),
    ),
    st.tuples(
        st.just("assign"), st.integers(0, 1), st.sampled_from(UNITS[:-1] + ("HN-P-HK", "HN")), st.integers(-20, 40)
    ),
    st.tuples(st.just("unassign"), st.integers(0, 1), st.sampled_from(UNITS[:-1] + ("HN-P-HK", "HN"))),
    st.tuples(st.just("move"), st.integers(0, LEARNERS - 1), st.sampled_from(UNITS)),
    st.tuples(st.just("toggle_active"), st.integers(0, LEARNERS - 1)),
)


class World:
    """Learners, courses and a clock that the operations move, through the real services."""

    def __init__(self, unit_tree, courses):
        self.units = unit_tree
        self.courses = courses
        self.manager = UserFactory(roles=["Administrators"])
        self.learner_ids = [UserFactory(unit=unit_tree[code] if code else None).pk for code in UNITS[:LEARNERS]]
        self.now = timezone.make_aware(datetime.datetime(2026, 1, 10, 9, 0))

    def today(self):
        return timezone.localdate(self.now)

    def learner(self, index):
        return type(self.manager).objects.get(pk=self.learner_ids[index])

    def latest_completion(self, learner, course):
        return Completion.objects.filter(user=learner, course=course).order_by("-pk").first()

    def run(self, operation):
        kind, *args = operation
        if kind == "advance":
            self.now += datetime.timedelta(days=args[0], hours=7)
            return
        if kind in ("assign", "unassign"):
            course, _module = self.courses[args[0]]
            unit = self.units[args[1]]
            if kind == "assign":
                assignments.assign(course, [unit], self.today() + datetime.timedelta(args[2]), self.manager)
            else:
                Assignment.objects.filter(course=course, unit=unit).delete()
            return
        learner = self.learner(args[0])
        if kind == "move":
            learner.unit = self.units[args[1]] if args[1] else None
            learner.save()
        elif kind == "toggle_active":
            learner.is_active = not learner.is_active
            learner.save()
        else:
            self.run_course_operation(kind, learner, *self.courses[args[1]])

    def run_course_operation(self, kind, learner, course, module):
        if kind in ("enrol", "complete"):
            course_services.enrol(learner, course)
            if kind == "complete":
                course_services.mark_module_done(learner, module, course)
            return
        completion = self.latest_completion(learner, course)
        if completion is None:
            return
        if kind == "issue":
            certificate_services.issue(completion)
            return
        certificate = Certificate.objects.filter(completion=completion, status=Certificate.Status.ISSUED).first()
        if certificate is None:
            return
        if kind == "revoke":
            certificate_services.revoke(certificate, "Cấp nhầm", self.manager)
        else:
            certificate_services.reissue(certificate, self.manager)


@pytest.fixture
def world(unit_tree, two_courses):
    return World(unit_tree, two_courses)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(operations=st.lists(OPERATIONS, max_size=20))
def test_after_a_refresh_the_stored_figures_equal_the_live_count_for_any_period_and_day(world, operations):
    with mock.patch("django.utils.timezone.now", lambda: world.now):
        for operation in operations:
            world.run(operation)
        unit_figures.refresh()
        today = world.today()
    courses = [course for course, _module in world.courses]
    days = [today - datetime.timedelta(days) for days in (400, 60, 31, 30, 1, 0)]
    periods = [(None, None), (days[2], None), (None, days[3]), (days[1], days[4]), (days[5], days[5])]
    periods += [(days[0], days[2]), (datetime.date(2026, 1, 1), today)]
    for start, end in periods:
        for chosen in (courses, courses[:1], courses[1:]):
            stored = unit_figures.stored_facts(chosen, start, end)
            # Counted live once for the three days: each day's overdue reads the due dates before it.
            ons = (today, today + datetime.timedelta(20), today - datetime.timedelta(15))
            live = live_facts(chosen, start, end, today=max(ons) + datetime.timedelta(1))
            for on in ons:
                assert nonzero(combine(stored, on)) == nonzero(combine(live, on)), (start, end, on)
    assert stored_direct(courses, None, None, today) == nonzero(figures_by_unit(courses, today=today))


@given(
    start=st.none() | st.dates(datetime.date(2024, 1, 1), datetime.date(2027, 12, 31)),
    end=st.none() | st.dates(datetime.date(2024, 1, 1), datetime.date(2027, 12, 31)),
)
@settings(max_examples=150, deadline=None)
def test_the_days_months_and_years_read_make_the_period_exactly(start, end):
    window_start, window_end = datetime.date(2023, 1, 1), datetime.date(2028, 12, 31)
    counted = {}
    for span, first, last in unit_figures.spans(start, end):
        day = first or window_start
        while day <= (last or window_end):
            if unit_figures._beginning(day, span) == day:
                following = unit_figures._next(day, span)
                covered = day
                while covered < following:
                    counted[covered] = counted.get(covered, 0) + 1
                    covered += datetime.timedelta(days=1)
            day += datetime.timedelta(days=1)
    expected = set()
    day = start or window_start
    while day <= (end or window_end):
        expected.add(day)
        day += datetime.timedelta(days=1)
    inside = {day for day, times in counted.items() if window_start <= day <= window_end}
    assert inside == expected
    assert all(times == 1 for times in counted.values())  # never a day twice
    assert len(unit_figures.spans(start, end)) <= 5


def test_a_learner_who_renewed_counts_once_in_a_period_holding_both_enrolments(world):
    course, module = world.courses[0]
    learner = world.learner(0)
    with mock.patch("django.utils.timezone.now", lambda: world.now):
        course_services.enrol(learner, course)
        course_services.mark_module_done(learner, module, course)
        world.now += datetime.timedelta(days=40)
        course_services.enrol(learner, course)  # the completion has lapsed: a renewal
        course_services.mark_module_done(learner, module, course)
        unit_figures.refresh()
        today = world.today()

    unit = world.units[UNITS[0]].pk
    both = stored_direct([course], today - datetime.timedelta(60), today, today)[unit]
    second = stored_direct([course], today - datetime.timedelta(5), today, today)[unit]

    assert (both["enrolled"], both["completed"]) == (1, 1)
    assert (second["enrolled"], second["completed"]) == (1, 1)
    assert Completion.objects.filter(user=learner).count() == 2


# --- Refreshed after each kind of change, a burst sharing one refresh ---------------------------


def changes(world):
    course, module = world.courses[1]

    def move():
        learner = world.learner(1)
        learner.unit = world.units["HN-X-SS"]
        learner.save()

    def deactivate():
        learner = world.learner(2)
        learner.is_active = False
        learner.save()

    def complete():
        course_services.mark_module_done(world.learner(0), module, course)

    def revoke():
        certificate = Certificate.objects.get(user_id=world.learner_ids[3])
        certificate_services.revoke(certificate, "Cấp nhầm", world.manager)

    def issue():
        completion = world.latest_completion(world.learner(3), course)
        certificate_services.issue(completion)

    return {
        "enrolment": lambda: course_services.enrol(world.learner(2), course),
        "completion": complete,
        "certificate issued": issue,
        "certificate revoked": revoke,
        "assignment": lambda: assignments.assign(course, [world.units["HN-P-HK"]], world.today(), world.manager),
        "assignment removed": lambda: Assignment.objects.filter(course=course).delete(),
        "learner moved": move,
        "learner deactivated": deactivate,
        "unit added": lambda: OrganisationUnitFactory(code="HN-Q", name="Quận mới", parent=world.units["HN"]),
    }


def test_each_kind_of_change_queues_a_refresh_half_a_minute_later(
    world, worker_queue, django_capture_on_commit_callbacks
):
    course, module = world.courses[1]
    certified = world.learner(3)
    course_services.enrol(certified, course)
    course_services.mark_module_done(certified, module, course)
    course_services.enrol(world.learner(0), course)  # so that "completion" completes it

    for name, change in changes(world).items():
        cache.delete(unit_figures.QUEUED_KEY)  # the refresh queued before has started
        worker_queue.clear()
        with django_capture_on_commit_callbacks(execute=True):
            change()
        queued = queued_refreshes()
        assert len(queued) == 1, name
        delay = (queued[0].task.run_after - timezone.now()).total_seconds()
        assert 25 < delay <= 30, name


def test_a_burst_of_changes_queues_one_refresh(world, worker_queue, django_capture_on_commit_callbacks):
    course, module = world.courses[1]
    learners = [UserFactory(unit=world.units["HN-P-HK-CA"]) for _ in range(30)]
    worker_queue.clear()

    for learner in learners:  # thirty completions, each its own transaction
        with django_capture_on_commit_callbacks(execute=True):
            course_services.enrol(learner, course)
            course_services.mark_module_done(learner, module, course)

    assert Completion.objects.count() == 30
    assert len(queued_refreshes()) == 1
    # Once that refresh has begun (its key gone), the next change queues the next one.
    cache.delete(unit_figures.QUEUED_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        course_services.enrol(world.learner(0), course)
    assert len(queued_refreshes()) == 2


def test_a_sign_in_or_a_learner_s_progress_queues_no_refresh(world, worker_queue, django_capture_on_commit_callbacks):
    course, module = world.courses[1]
    learner = world.learner(0)
    course_services.enrol(learner, course)
    worker_queue.clear()

    with django_capture_on_commit_callbacks(execute=True):
        learner.last_login = timezone.now()
        learner.save(update_fields=["last_login"])
        learner.full_name = "Tên mới"
        learner.save(update_fields=["full_name"])

    assert queued_refreshes() == []


def test_with_a_worker_the_summary_shows_the_figures_of_the_last_refresh_until_the_next(
    world, worker_queue, django_capture_on_commit_callbacks
):
    course, module = world.courses[1]
    learner = world.learner(0)
    unit_figures.refresh()
    counted_at = UnitFiguresRefresh.objects.get().refreshed_at

    with django_capture_on_commit_callbacks(execute=True):
        course_services.enrol(learner, course)
        course_services.mark_module_done(learner, module, course)
    _rows, before = unit_summary(world.manager, [course])
    (queued,) = queued_refreshes()
    queued.task.call()  # the worker runs it
    _rows, after = unit_summary(world.manager, [course])

    assert (before.enrolled, before.completed) == (0, 0)
    assert (after.enrolled, after.completed) == (1, 1)
    assert UnitFiguresRefresh.objects.get().refreshed_at > counted_at


def test_before_any_refresh_the_first_read_counts_the_figures(world):
    course, module = world.courses[1]
    course_services.enrol(world.learner(0), course)
    course_services.mark_module_done(world.learner(0), module, course)
    assert not UnitFiguresRefresh.objects.exists()

    _rows, total = unit_summary(world.manager, [course])

    assert (total.learners, total.enrolled, total.completed) == (LEARNERS - 1, 1, 1)  # one has no unit
    assert UnitFiguresRefresh.objects.get().refreshed_at is not None


def test_the_safety_net_command_counts_the_figures_again(world, worker_queue):
    course, module = world.courses[1]
    unit_figures.refresh()
    with mock.patch.object(unit_figures, "request_refresh"):  # a write no signal reaches
        course_services.enrol(world.learner(0), course)

    call_command("refresh_unit_figures", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert UnitCourseActivity.objects.filter(span="year").get().enrolled == 1


# --- Read in a fixed number of queries -------------------------------------------------------


def grow(parent, wards, learners_per_unit, course, module):
    """Wards under `parent`, each assigned the course with two units of learners who completed it."""
    for _ in range(wards):
        ward = OrganisationUnitFactory(parent=parent)
        assignments.assign(course, [ward], timezone.localdate() - datetime.timedelta(3), None)
        for _ in range(2):
            unit = OrganisationUnitFactory(parent=ward)
            for _ in range(learners_per_unit):
                learner = UserFactory(unit=unit)
                course_services.enrol(learner, course)
                course_services.mark_module_done(learner, module, course)


@pytest.mark.parametrize("role", ["administrator", "ward manager"])
def test_the_summary_reads_the_same_number_of_queries_as_units_and_learners_grow(unit_tree, two_courses, role):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.accounts.factories import ManagerScopeFactory

    course, module = two_courses[1]
    if role == "administrator":
        user = UserFactory(roles=["Administrators"])
    else:
        user = ManagerScopeFactory(unit=unit_tree["HN-P-HK"]).user
    counts = []
    for wards, learners in ((1, 1), (5, 4)):
        grow(unit_tree["HN-P-HK"], wards, learners, course, module)
        unit_figures.refresh()
        user = type(user).objects.get(pk=user.pk)  # nothing remembered between the two reads
        with CaptureQueriesContext(connection) as queries:
            _rows, total = unit_summary(user, [course], datetime.date(2026, 1, 1), timezone.localdate())
        counts.append(len(queries))
    assert total.completed == 2 * 1 * 1 + 2 * 5 * 4
    assert counts[0] == counts[1] <= 10, counts


# --- Shown with their time -----------------------------------------------------------------


def test_the_unit_summary_and_the_dashboard_say_when_the_figures_were_counted(world, staff_client):
    client = staff_client("Administrators")

    summary = client.get("/admin/reports/unit-summary/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    dashboard = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()

    counted_at = timezone.localtime(UnitFiguresRefresh.objects.get().refreshed_at)
    shown = f"Số liệu cập nhật lúc {counted_at:%H:%M} ngày {counted_at:%d/%m/%Y}"
    assert shown in summary and shown in dashboard
    assert re.search(r"Số liệu cập nhật lúc \d\d:\d\d ngày \d\d/\d\d/\d{4}", summary)


def test_the_time_is_on_the_site_s_clock_with_its_day():
    counted_at = datetime.datetime(2026, 12, 3, 17, 5, tzinfo=datetime.UTC)  # 00:05 on the 4th in Hanoi

    with translation.override("vi"):
        assert figures_as_of(counted_at) == "Số liệu cập nhật lúc 00:05 ngày 04/12/2026"
