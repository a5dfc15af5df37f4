"""The managers' panel on the admin home: figures for their scope, two bar charts of completions
and the chart of completion rates by unit (reports.charts), drawn as SVG on the server (no
charting script, no third-party request)."""

import datetime

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format

from wagtail.admin.ui.components import Component

from accounts.scopes import in_scope
from certificates.models import Certificate
from cms.models import ProgrammeArea
from courses.models import Completion, CoursePage
from ops.replica import reads_from_replica
from reports.charts import RateChartForm, rate_chart
from reports.lag import current_lag_notice
from reports.summary import figures_as_of, figures_refreshed_at, unit_summary

CHART_WIDTH, CHART_HEIGHT, LABEL_SPACE = 560, 180, 40


def bars(values, width=CHART_WIDTH, height=CHART_HEIGHT):
    """[(label, value)] as bars: x, y, width and height in an SVG of the given size."""
    top = max((value for _label, value in values), default=0) or 1
    slot = width / max(len(values), 1)
    drawn = []
    for index, (label, value) in enumerate(values):
        bar_height = round((height - LABEL_SPACE) * value / top, 1)
        drawn.append(
            {
                "label": label,
                "value": value,
                "x": round(index * slot + slot * 0.15, 1),
                "width": round(slot * 0.7, 1),
                "y": round(height - LABEL_SPACE - bar_height, 1),
                "height": bar_height,
                "centre": round(index * slot + slot / 2, 1),
                "value_y": round(height - LABEL_SPACE - bar_height - 4, 1),
            }
        )
    baseline = height - LABEL_SPACE
    return {"bars": drawn, "width": width, "height": height, "baseline": baseline, "label_y": baseline + 16}


class ManagerDashboardPanel(Component):
    name = "manager_dashboard"
    order = 50
    template_name = "reports/dashboard_panel.html"

    def __init__(self, user, query=None):
        self.user = user
        # The rate chart's choice, from the dashboard's address; without one, the defaults.
        self.chart_form = RateChartForm(
            query if query and any(k.startswith("chart-") for k in query) else None, user=user
        )

    @property
    def media(self):
        return self.chart_form.media

    @reads_from_replica()
    def get_context_data(self, parent_context):
        today = timezone.localdate()
        completions = in_scope(self.user, Completion.objects.all())
        month_start, year_start = today.replace(day=1), today.replace(month=1, day=1)
        first_month = (month_start - datetime.timedelta(days=335)).replace(day=1)  # 12 months with this one
        recent = completions.filter(completed_on__gte=first_month)
        _rows, total = unit_summary(self.user, CoursePage.objects.live(), today=today)
        return {
            "learners": total.learners,
            "completions_this_month": completions.filter(completed_on__gte=month_start).count(),
            "completions_this_year": completions.filter(completed_on__gte=year_start).count(),
            "certificates": in_scope(self.user, Certificate.objects.current()).count(),
            "assigned_rate": total.assigned_completion_rate,
            "by_month": bars(self.by_month(recent, first_month, today)),
            "by_area": bars(self.by_area(recent)),
            "chart_form": self.chart_form,
            "rate_chart": rate_chart(self.user, *self.chart_form.choice(), today=today),
            "lag_notice": current_lag_notice(),
            "figures_as_of": figures_as_of(figures_refreshed_at()),
        }

    @staticmethod
    def by_month(recent, first_month, today):
        counts = {
            month.date() if isinstance(month, datetime.datetime) else month: count
            for month, count in recent.annotate(month=TruncMonth("completed_on"))
            .values("month")
            .annotate(count=Count("pk"))
            .values_list("month", "count")
        }
        months, month = [], first_month
        while month <= today:
            months.append((date_format(month, "m/Y"), counts.get(month, 0)))
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return months

    @staticmethod
    def by_area(recent):
        counts = dict(recent.values("area").annotate(count=Count("pk")).values_list("area", "count"))
        return [(str(area), counts.get(area, 0)) for area in sorted(counts) or [ProgrammeArea.COMMUNICATION]]
