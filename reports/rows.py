"""The completion records: one row per learner and course, for the learners a user may see.

Rows come from two sources: the learners' latest enrolments (started or completed), and the
learners of assigned units who have not started (no enrolment yet), course by course. Both are
querysets, filtered and ordered in the database; `CompletionRows` chains them behind `count()` and
slicing, so Django's paginator shows a page without loading the rest, and iterating streams them
in chunks for an export. An enrolment's learner and certificate are joined in its query, the
modules done are read from the enrolment's row (kept exact by courses.services and courses.figures),
and labels and due dates come from dictionaries filled once.
"""

import datetime
import functools
import re
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    CharField,
    Count,
    Exists,
    FilteredRelation,
    OuterRef,
    Q,
)
from django.db.models.functions import Cast, Substr, TruncMinute
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext_lazy as _

from accounts.models import OrganisationUnit
from accounts.scopes import scope_filter, visible_units
from certificates.models import STATE_LABELS, Certificate
from courses.assignments import fulfilling
from courses.models import Assignment, Completion, CoursePage, Enrolment, live_module_counts
from courses.services import progress_percent

CHUNK = 5000

# What a row needs of the learner, read from the user table or, for enrolments, through the join.
LEARNER_VALUES = ("full_name", "email", "unit_id", "position", "staff_category")
LEARNER_VALUES_FROM_ENROLMENT = tuple(f"user__{name}" for name in LEARNER_VALUES)
ENROLMENT_VALUES = (
    "pk",
    "course_id",
    "source",
    "enrolled",
    "completed",
    "score",
    "modules_done",
    "certificate__serial",
    "certificate__status",
    "certificate__expires_on",
)
UNIT_ID = LEARNER_VALUES.index("unit_id")
PK = len(LEARNER_VALUES) + ENROLMENT_VALUES.index("pk")

HEADINGS = [
    _("Full name"),
    _("E-mail"),
    _("Unit"),
    _("Position"),
    _("Staff category"),
    _("Course"),
    _("Programme area"),
    _("Source"),
    _("Due date"),
    _("Enrolled"),
    _("Progress (%)"),
    _("Completed"),
    _("Score (%)"),
    _("Hours"),
    _("Certificate"),
    _("Certificate status"),
]


class Status:
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    OVERDUE = "overdue"
    CHOICES = [
        (NOT_STARTED, _("Not started")),
        (IN_PROGRESS, _("In progress")),
        (COMPLETED, _("Completed")),
        (OVERDUE, _("Overdue")),
    ]


class Row(NamedTuple):
    """One line of the report, in the order of HEADINGS (an export writes it as it is). A value
    that is missing is "", as a cell shows it."""

    full_name: str
    email: str
    unit: str
    position: str
    staff_category: str
    course: str
    area: str
    source: str
    due_on: datetime.date | str
    enrolled_at: datetime.datetime | str  # to the minute, in the site's time zone (cms.dates formats it)
    progress: int
    completed_at: datetime.datetime | str
    score: int | str
    hours: object
    certificate_serial: str
    certificate_status: str


class Cursor(NamedTuple):
    """Where a page of the records starts or ends: a part ("e" the enrolments, "c<course id>" the
    learners of that course who have not started) and a row's id in it. Written in a URL as
    "e-1234" or "c56-789"."""

    part: str
    pk: int

    PATTERN = re.compile(r"(e|c[0-9]{1,10})-([0-9]{1,18})")

    def __str__(self):
        return f"{self.part}-{self.pk}"

    @classmethod
    def parse(cls, text):
        """The cursor written in `text`, or None when it is not one."""
        match = cls.PATTERN.fullmatch(text or "")
        return cls(match[1], int(match[2])) if match else None


@dataclass
class KeysetPage:
    """One page of rows, with the cursors of its first and last row for the links around it."""

    rows: list
    first: Cursor | None
    last: Cursor | None
    has_previous: bool
    has_next: bool


def local_minute(field):
    """A timestamp as text to the minute in the site's time zone ("2026-11-29 17:05"). The database
    converts and formats it: for an export's 100,000 rows that is far quicker than Python converting
    each moment; `site_moment` reads it back."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return Substr(Cast(TruncMinute(field, tzinfo=zone), CharField()), 1, 16)


def site_moment(text):
    """The moment `local_minute` wrote, as an aware datetime in the site's time zone ("" stays "")."""
    if not text:
        return ""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=timezone.get_default_timezone())


def start_of(day):
    """Midnight at the start of `day` in the site's time zone (Asia/Ho_Chi_Minh)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class CompletionRows:
    def __init__(
        self,
        user,
        *,
        unit=None,
        course=None,
        area=None,
        status=None,
        completed_from=None,
        completed_to=None,
        staff_category=None,
        today=None,
    ):
        self.today = today or timezone.localdate()
        self.status = status
        self.units = list(OrganisationUnit.objects.values_list("pk", "path", "name"))
        self.unit_names = {path: name for _pk, path, name in self.units}
        self.unit_paths = {pk: path for pk, path, _name in self.units}
        self.unit_labels, self.due_dates = {}, {}
        self.staff_labels = {value: str(label) for value, label in get_user_model().StaffCategory.choices}
        self.source_labels = {value: str(label) for value, label in Enrolment.Source.choices}
        self.state_labels = {state: str(label) for state, label in STATE_LABELS.items()}
        courses = CoursePage.objects.live().order_by("path")
        if course is not None:
            courses = courses.filter(pk=course.pk)
        if area:
            courses = courses.filter(area=area)
        self.courses = {
            page.pk: page
            for page in courses.only("id", "title", "area", "hours", "path", "depth", "certificate_validity_months")
        }
        # A course's live modules are counted as the learner's pages count them.
        modules = live_module_counts(self.courses.values())
        self.course_cells = {  # what a row shows of its course
            pk: (page.title, str(page.get_area_display()), page.hours, modules[pk]) for pk, page in self.courses.items()
        }
        self.assignments = {}  # course id -> [(unit path, due date)], earliest first
        for course_id, path, due_on in (
            Assignment.objects.filter(course_id__in=self.courses)
            .order_by("due_on")
            .values_list("course_id", "unit__path", "due_on")
        ):
            self.assignments.setdefault(course_id, []).append((path, due_on))

        # Records of learners whose account was later closed still count; only active learners are
        # expected to start an assigned course (self.expected_filter).
        self.learner_filter = scope_filter(user, learner="user")
        # The units whose learners may be listed: a course's not-started part covers only these
        # (a part with none is left out rather than asked of the database).
        self.listed_units = set(visible_units(user).values_list("pk", flat=True))
        if unit is not None:
            self.learner_filter &= Q(user__unit_id__in=self.units_below([unit.path]))
            self.listed_units &= set(self.units_below([unit.path]))
        if staff_category:
            self.learner_filter &= Q(user__staff_category=staff_category)
        self.expected_filter = self.learner_filter & Q(user__is_active=True)
        self.completed_from, self.completed_to = completed_from, completed_to
        self.parts = self._parts()

    def units_below(self, paths):
        """Ids of the units at or below any of these paths (the unit table is small: read once)."""
        tops = tuple(OrganisationUnit.tree_paths(paths))
        return [pk for pk, path, _name in self.units if tops and path.startswith(tops)]

    # The two sources

    def _enrolments(self):
        """The latest enrolments the filters choose (None when they choose none), not yet joined to
        what a row shows: counting them needs none of it."""
        if self.status == Status.NOT_STARTED:
            return None
        rows = Enrolment.objects.filter(self.learner_filter, course_id__in=self.courses, superseded=False)
        if self.status == Status.COMPLETED:
            rows = rows.filter(completed_at__isnull=False)
        if self.status == Status.IN_PROGRESS:
            rows = rows.filter(completed_at__isnull=True)
        if self.status == Status.OVERDUE:
            rows = rows.filter(self._overdue_q())
        if self.completed_from or self.completed_to:
            rows = rows.filter(completed_at__isnull=False)
            if self.completed_from:
                rows = rows.filter(completed_at__gte=start_of(self.completed_from))
            if self.completed_to:
                rows = rows.filter(completed_at__lt=start_of(self.completed_to + datetime.timedelta(days=1)))
        return rows

    def _enrolment_rows(self, enrolments):
        # A row's learner, enrolment (its modules done included) and current certificate come from
        # this one query.
        current_certificate = FilteredRelation(
            "completion__certificates",
            condition=~Q(completion__certificates__status=Certificate.Status.REPLACED),
        )
        # In the order they were made: the index order, so a page needs no sort of the whole set.
        return (
            enrolments.annotate(
                certificate=current_certificate,
                enrolled=local_minute("started_at"),
                completed=local_minute("completed_at"),
            )
            .order_by("pk")
            .values_list(*LEARNER_VALUES_FROM_ENROLMENT, *ENROLMENT_VALUES)
        )

    def _not_started_units(self, course_id):
        """The units whose learners the course's not-started part lists (None when none: no part)."""
        if self.status in (Status.IN_PROGRESS, Status.COMPLETED) or self.completed_from or self.completed_to:
            return None
        assigned = self.assignments.get(course_id, [])
        if self.status == Status.OVERDUE:
            assigned = [(path, due_on) for path, due_on in assigned if due_on < self.today]
        if not assigned:
            return None
        return set(self.units_below([path for path, _due_on in assigned])) & self.listed_units or None

    def _not_started(self, course_id, covered_units):
        """Learners of the covered units who have no enrolment in the course."""
        return (
            get_user_model()
            .objects.filter(Q(unit_id__in=sorted(covered_units)), _strip_user_prefix(self.expected_filter))
            .exclude(Exists(Enrolment.objects.filter(user=OuterRef("pk"), course_id=course_id)))
            .order_by("pk")
            .values_list(*LEARNER_VALUES, "pk")  # the pk last: a page's cursor (see page)
        )

    def _overdue_q(self):
        """Enrolments of learners for whom the course is overdue (courses.assignments.fulfilling):
        their unit's due date has passed and they hold no completion that fulfils it. That may be
        a finished enrolment whose completion lapsed before the due date."""
        query = Q(pk__in=[])
        for (course_id, due_on), late_units in self.late_units.items():
            # One uncorrelated set of learners per due date (a hashed lookup), not a probe per row.
            fulfilled = Completion.objects.filter(fulfilling(self.courses[course_id], due_on)).values("user_id")
            query |= Q(course_id=course_id, user__unit_id__in=late_units) & ~Q(user_id__in=fulfilled)
        return query

    @cached_property
    def late_units(self):
        """{(course id, due date): ids of the units whose due date for the course it is, when it has
        passed}. A unit covered by two assignments of a course answers to the earlier one."""
        late = defaultdict(set)
        for course_id, assigned in self.assignments.items():  # earliest due date first
            for pk, path, _name in self.units:
                due_on = next((due_on for top, due_on in assigned if OrganisationUnit.path_is_below(path, [top])), None)
                if due_on is not None and due_on < self.today:
                    late[course_id, due_on].add(pk)
        return late

    def _parts(self):
        """(kind, course id, queryset) of each part, in the rows' order. A course's not-started
        queryset is built when first used (SimpleLazyObject): a page reads one or two parts of a
        city's twenty courses."""
        parts, self.covered_units = [], {}
        self.enrolments = self._enrolments()
        if self.enrolments is not None:
            parts.append(("enrolment", None, self._enrolment_rows(self.enrolments)))
        for course_id in self.courses:
            if (covered_units := self._not_started_units(course_id)) is not None:
                self.covered_units[course_id] = covered_units
                learners = SimpleLazyObject(functools.partial(self._not_started, course_id, covered_units))
                parts.append(("assigned", course_id, learners))
        return parts

    # A page by cursor: each part read from its index in order, with no count and no OFFSET, so
    # any page costs what the first does whatever the rows (docs/decisions.md, issue 17).

    def knows(self, cursor):
        """Whether `cursor` names a part of these rows (a stale or forged one does not)."""
        return cursor is not None and any(
            self._key(kind, course_id) == cursor.part for kind, course_id, _ in self.parts
        )

    def page(self, size, *, after=None, before=None, last=False):
        """`size` rows: the first ones, those just after or before a cursor, or the last ones."""
        if before is not None or last:
            items, more = self._walk(size, before, backwards=True)
            if before is not None and not items:
                return self.page(size)  # nothing before it any more: the first page
            return self._page(items, has_previous=more, has_next=not last)
        items, more = self._walk(size, after, backwards=False)
        if after is not None and not items:
            return self.page(size, last=True)  # nothing after it any more: the last page
        return self._page(items, has_previous=after is not None, has_next=more)

    def _walk(self, size, cursor, *, backwards):
        """Up to `size` (kind, course id, values) from the cursor on, in the rows' order, and whether
        there are more beyond them. Each part is read with LIMIT in its id order."""
        parts = list(reversed(self.parts) if backwards else self.parts)
        if cursor is not None:
            parts = parts[[self._key(kind, course_id) for kind, course_id, _ in parts].index(cursor.part) :]
        items = []
        for kind, course_id, part in parts:
            if cursor is not None and self._key(kind, course_id) == cursor.part:
                part = part.filter(pk__lt=cursor.pk) if backwards else part.filter(pk__gt=cursor.pk)
            part = part.order_by("-pk" if backwards else "pk")
            items += [(kind, course_id, values) for values in part[: size + 1 - len(items)]]
            if len(items) > size:
                break
        more, items = len(items) > size, items[:size]
        return (items[::-1] if backwards else items), more

    def _page(self, items, *, has_previous, has_next):
        rows = [row for kind, course_id, values in items for row in self._rows(kind, course_id, [values])]
        first, last = (self._cursor(*items[0]), self._cursor(*items[-1])) if items else (None, None)
        return KeysetPage(rows, first, last, has_previous and bool(items), has_next and bool(items))

    @staticmethod
    def _key(kind, course_id):
        return "e" if kind == "enrolment" else f"c{course_id}"

    def _cursor(self, kind, course_id, values):
        return Cursor(self._key(kind, course_id), values[PK] if kind == "enrolment" else values[-1])

    # What the exports and the counts need

    @cached_property
    def sizes(self):
        """The number of rows of each part. When there are not-started parts, two grouped queries
        count everything: the learners of each unit, and the enrolments of each unit and course
        (with, for the overdue filter, those of them that are overdue)."""
        if not self.covered_units:
            return [(self.enrolments if kind == "enrolment" else part).count() for kind, _course_id, part in self.parts]
        learners = get_user_model().objects.filter(_strip_user_prefix(self.expected_filter)).count_per_unit()
        # Every learner with an enrolment in a course has exactly one that is not superseded.
        overdue = {"overdue": Count("pk", filter=self._overdue_q())} if self.status == Status.OVERDUE else {}
        enrolments = (
            Enrolment.objects.filter(self.learner_filter, course_id__in=self.courses, superseded=False)
            .values("course_id", "user__unit_id", "user__is_active")
            .annotate(count=Count("pk"), **overdue)
            .values_list("course_id", "user__unit_id", "user__is_active", "count", *overdue)
        )
        listed, enrolled = 0, defaultdict(int)
        for course_id, unit_id, is_active, count, *overdue_count in enrolments:
            if overdue_count:
                listed += overdue_count[0]
            elif self.status is None:
                listed += count
            if is_active and unit_id in self.covered_units.get(course_id, ()):
                enrolled[course_id] += count
        sizes = []
        for kind, course_id, _part in self.parts:
            if kind == "enrolment":
                sizes.append(listed)
            else:
                covered = sum(learners.get(unit_id, 0) for unit_id in self.covered_units[course_id])
                sizes.append(covered - enrolled[course_id])
        return sizes

    def count(self):
        return sum(self.sizes)

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("CompletionRows pages by slices")
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        chosen = []
        for (kind, course_id, part), size in zip(self.parts, self.sizes, strict=True):
            if stop <= 0:
                break
            if start < size:
                chosen.append((kind, course_id, list(part[start : min(stop, size)])))
            start, stop = max(0, start - size), stop - size
        return [row for kind, course_id, items in chosen for row in self._rows(kind, course_id, items)]

    def __iter__(self):
        for kind, course_id, part in self.parts:
            yield from self._rows(kind, course_id, part.iterator(chunk_size=CHUNK))

    # Rows

    def _rows(self, kind, course_id, items):
        """Rows from the values of one part: LEARNER_VALUES, then for enrolments ENROLMENT_VALUES.
        An export runs this 100,000 times: labels come from dictionaries filled once."""
        if kind == "assigned":
            title, area, hours, _modules = self.course_cells[course_id]
            source = self.source_labels[Enrolment.Source.ASSIGNMENT]
            for values in items:
                due_on = self.due_on(values[UNIT_ID], course_id)
                yield Row(*self._learner_cells(values), title, area, source, due_on, "", 0, "", "", hours, "", "")
            return
        for values in items:
            _pk, course_id, source, enrolled, completed, score, modules_done, serial, status, expires_on = values[PK:]
            title, area, hours, modules = self.course_cells[course_id]
            yield Row(
                *self._learner_cells(values),
                title,
                area,
                self.source_labels[source],
                self.due_on(values[UNIT_ID], course_id),
                site_moment(enrolled),
                progress_percent(modules_done, modules, completed is not None),
                site_moment(completed),
                "" if score is None else score,
                hours,
                serial or "",
                self.certificate_label(status, expires_on) if serial else "",
            )

    def _learner_cells(self, values):
        """Full name, e-mail, unit, position and staff category, from LEARNER_VALUES."""
        full_name, email, unit_id, position, staff_category = values[: len(LEARNER_VALUES)]
        unit = self.unit_labels.get(unit_id) or self.unit_label(unit_id)
        return full_name, email, unit, position, self.staff_labels.get(staff_category, "")

    def certificate_label(self, status, expires_on):
        return self.state_labels[Certificate.state_of(status, expires_on, self.today)]

    def due_on(self, unit_id, course_id):
        """The earliest due date of the course's assignments that cover the learner's unit."""
        key = (unit_id, course_id)
        if key not in self.due_dates:
            path = self.unit_paths.get(unit_id)
            assigned = self.assignments.get(course_id, []) if path else []
            self.due_dates[key] = next(
                (due for unit_path, due in assigned if OrganisationUnit.path_is_below(path, [unit_path])), ""
            )
        return self.due_dates[key]

    def unit_label(self, unit_id):
        """The unit with the units above it: "Thành phố Hà Nội › Phường Hoàn Kiếm › Công an phường"."""
        if unit_id not in self.unit_labels:
            paths = OrganisationUnit.ancestor_paths_of(self.unit_paths.get(unit_id) or "")
            names = [self.unit_names.get(path, "") for path in paths]
            self.unit_labels[unit_id] = " › ".join(name for name in names if name)
        return self.unit_labels[unit_id]


def _strip_user_prefix(query):
    """The learner filter, written from the Enrolment side, re-rooted at the user."""
    clone = Q()
    clone.connector, clone.negated = query.connector, query.negated
    for child in query.children:
        if isinstance(child, Q):
            clone.children.append(_strip_user_prefix(child))
        else:
            key, value = child
            clone.children.append((key.removeprefix("user__"), value))
    return clone
