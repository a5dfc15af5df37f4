"""The programme page's live figures: what the platform itself can count, this year and since the plan began.

The plan's 2025 targets (people who seek help, people helped) are outcomes the platform cannot
measure; the page states them as text. Beside them it shows these counts, computed here from the
records and kept in the cache for PROGRAMME_FIGURES_SECONDS, never typed in. Definitions (also in
docs/decisions.md), for a period of completion, issue, publication or download dates:
- officials trained: distinct learners with a completion of a programme-area-3 (training) course;
- certificates issued: certificates issued, a re-issue counted once with its original;
- units fully trained: units with learners of their own that an assignment covers (there or above),
  where every active learner of the unit completed every assigned course in the period;
- materials published: live campaign materials first published in the period (one without the
  date, put live by a script, counts since the plan began only);
- material downloads: downloads of materials' files through the site, counted per material and year.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.utils import timezone

from accounts.models import OrganisationUnit
from certificates.models import Certificate
from cms.models import MaterialDownloadCount, MaterialPage, ProgrammeArea
from courses.models import Assignment, Completion
from reports.rows import start_of

# Plan 106/KH-UBND (signed 19 April 2021) covers the years 2021-2025: its figures count from the
# start of 2021, on the programme page and in the dashboard chart alike.
PLAN_START = datetime.date(2021, 1, 1)
CACHE_KEY = "programme-figures"


@dataclass(frozen=True)
class PeriodFigures:
    officials_trained: int
    certificates_issued: int
    units_fully_trained: int
    materials_published: int
    material_downloads: int


@dataclass(frozen=True)
class ProgrammeFigures:
    year: int
    this_year: PeriodFigures
    since_plan_start: PeriodFigures
    counted_at: datetime.datetime


def programme_figures():
    """The figures, counted at most once per PROGRAMME_FIGURES_SECONDS (the year is in the key: a
    new year starts from its own counts)."""
    year = timezone.localdate().year
    return cache.get_or_set(
        f"{CACHE_KEY}:{year}", lambda: count_figures(year), timeout=settings.PROGRAMME_FIGURES_SECONDS
    )


def count_figures(year):
    today = timezone.localdate()
    return ProgrammeFigures(
        year=year,
        this_year=period_figures(datetime.date(year, 1, 1), today),
        since_plan_start=period_figures(PLAN_START, today),
        counted_at=timezone.now(),
    )


def period_figures(start, end):
    """The figures for the days from `start` to `end`, both included."""
    after_end = start_of(end + datetime.timedelta(days=1))
    return PeriodFigures(
        officials_trained=Completion.objects.filter(
            area=ProgrammeArea.TRAINING, completed_on__gte=start, completed_on__lte=end
        )
        .values("user_id")
        .distinct()
        .count(),
        certificates_issued=Certificate.objects.current().filter(issued_on__gte=start, issued_on__lte=end).count(),
        units_fully_trained=units_fully_trained(start, end),
        materials_published=MaterialPage.objects.live().filter(published_between(start, after_end)).count(),
        material_downloads=MaterialDownloadCount.objects.filter(year__gte=start.year, year__lte=end.year).aggregate(
            total=Sum("downloads")
        )["total"]
        or 0,
    )


def published_between(start, after_end):
    """A Q on pages first published from `start` to before `after_end`. A live page with no date of
    first publication (put live by a script, not published) counts from the plan's start only."""
    published = Q(first_published_at__gte=start_of(start), first_published_at__lt=after_end)
    return published | Q(first_published_at__isnull=True) if start <= PLAN_START else published


def units_fully_trained(start, end):
    """How many units have learners of their own, are covered by an assignment, and saw every
    active learner complete every assigned course between `start` and `end`."""
    learners = get_user_model().objects.filter(is_active=True).count_per_unit()
    if not learners:
        return 0
    paths = dict(OrganisationUnit.objects.filter(pk__in=learners).values_list("pk", "path"))
    assigned = defaultdict(set)  # unit id -> course ids assigned to it or to a unit above it
    for course_id, assigned_path in Assignment.objects.values_list("course_id", "unit__path").distinct():
        for unit_id, path in paths.items():
            if OrganisationUnit.path_is_below(path, [assigned_path]):
                assigned[unit_id].add(course_id)
    completed = {
        (course_id, unit_id): count
        for course_id, unit_id, count in Completion.objects.filter(
            user__is_active=True, completed_on__gte=start, completed_on__lte=end
        )
        .values("course_id", "user__unit_id")
        .annotate(count=Count("user_id", distinct=True))
        .values_list("course_id", "user__unit_id", "count")
    }
    return sum(
        1
        for unit_id, course_ids in assigned.items()
        if all(completed.get((course_id, unit_id), 0) >= learners[unit_id] for course_id in course_ids)
    )


def target_progress(achieved, target):
    """Percent of a target reached (at most 100), or None without a target."""
    if not target:
        return None
    return min(100, round(100 * achieved / target))
