"""The dashboard's rate chart: for the chosen courses and period, the share of assigned
learner-course pairs completed in each unit, read from reports.summary.unit_summary, so that it
shows the same figures as the unit summary report (its "Assigned completion rate" column).

Drawn as SVG on the server, with the same figures as a table for screen readers.
"""

import datetime
from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scopes import visible_units
from accounts.widgets import UnitTreeSelect
from courses.models import CoursePage
from reports.programme_figures import PLAN_START as PLAN_STARTED_ON
from reports.summary import chosen_courses, unit_summary

# "Since the plan began" is the one period the programme page counts from too (PLAN_START).

THIS_YEAR, LAST_12_MONTHS, SINCE_PLAN = "this-year", "last-12-months", "since-plan"
PERIODS = [
    (THIS_YEAR, _("This year")),
    (LAST_12_MONTHS, _("Last 12 months")),
    (SINCE_PLAN, _("Since the plan began")),
]
COURSE_SETS = [("area-1", _("All area 1 courses")), ("area-3", _("All area 3 courses"))]

CHART_WIDTH, ROW_HEIGHT, BAR_HEIGHT, TOP = 480, 46, 16, 8
BAR_SPACE = CHART_WIDTH - 64  # room on the right for the percentage


def period_dates(period, today):
    """(first day, last day) of a period choice, both included."""
    if period == THIS_YEAR:
        return today.replace(month=1, day=1), today
    if period == LAST_12_MONTHS:
        try:
            year_ago = today.replace(year=today.year - 1)
        except ValueError:  # 29 February
            year_ago = today.replace(year=today.year - 1, day=28)
        return year_ago + datetime.timedelta(days=1), today
    return PLAN_STARTED_ON, today


def course_choices():
    """The unit summary's own choices: the two areas' courses, then each live course."""
    return list(COURSE_SETS) + [
        (str(course.pk), course.title) for course in CoursePage.objects.live().order_by("title")
    ]


class RateChartForm(forms.Form):
    """What the chart shows; read from the dashboard's address (?chart-courses=…)."""

    courses = forms.ChoiceField(label=_("Courses"), choices=[], required=False)
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)
    unit = forms.ModelChoiceField(
        label=_("Show the units under"),
        queryset=None,
        required=False,
        blank=True,
        empty_label=_("All my units"),
        widget=UnitTreeSelect,
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("prefix", "chart")
        super().__init__(*args, **kwargs)
        self.fields["courses"].choices = course_choices()
        self.fields["unit"].queryset = visible_units(user).order_by("path")

    def choice(self):
        """(courses choice, period choice, unit or None): the valid choices, else the defaults."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("courses") or "area-1", data.get("period") or THIS_YEAR, data.get("unit")


def rate_rows(summary_rows):
    """The units a chart shows out of the unit summary's rows: those one level below the top
    (the chosen unit's units, or the units under the user's scope), or the top when it has none."""
    below_top = [row for row in summary_rows if row.unit is not None and row.depth == 2]
    return below_top or [row for row in summary_rows if row.unit is not None and row.depth == 1]


def rate_chart(user, courses_choice, period, unit=None, today=None):
    """The chart's rows, bars and the summary report's address for the same choice."""
    today = today or timezone.localdate()
    start, end = period_dates(period, today)
    summary_rows, _total = unit_summary(user, chosen_courses(courses_choice), start, end, today, unit=unit)
    return drawn(rate_rows(summary_rows)) | {
        "courses_label": dict(course_choices()).get(courses_choice, ""),
        "unit": unit,
        "start": start,
        "end": end,
        "summary_url": reverse("reports_unit_summary")
        + "?"
        + urlencode(
            {"courses": courses_choice, "period_from": start.isoformat(), "period_to": end.isoformat()}
            | ({"unit": unit.pk} if unit is not None else {})
        ),
    }


def drawn(rows):
    """Summary rows as horizontal bars (a unit's name above its bar) in an SVG of CHART_WIDTH."""
    bars = []
    for index, row in enumerate(rows):
        rate = row.figures.assigned_completion_rate
        top = TOP + index * ROW_HEIGHT
        bars.append(
            {
                "name": row.unit.name,
                "assigned": row.figures.assigned,
                "completed": row.figures.assigned_completed,
                "rate": rate,
                "name_y": top + 12,
                "bar_y": top + 18,
                # A rate over 100 % cannot happen by the definition; if it ever did, the bar stops at the edge.
                "bar_width": round(BAR_SPACE * min(rate, 100) / 100, 1) if rate is not None else 0,
                "text_x": round(BAR_SPACE * min(rate or 0, 100) / 100 + 6, 1),
                "text_y": top + 18 + BAR_HEIGHT - 3,
            }
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": TOP + max(len(bars), 1) * ROW_HEIGHT,
        "bar_height": BAR_HEIGHT,
        "bar_space": BAR_SPACE,
    }
