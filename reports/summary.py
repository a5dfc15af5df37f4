"""The unit summary and the dashboard's figures: per unit, added up the tree.

The figures are read from those counted ahead of time (reports.unit_figures), by the definitions
and rules of reports.figures; `figures_by_unit` counts them live from the records, the reference.
"""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrganisationUnit
from accounts.scopes import visible_units
from cms.dates import table_date
from courses.models import CoursePage
from reports import unit_figures
from reports.figures import Figures, combine, live_facts

__all__ = ["Figures", "SummaryRow", "chosen_courses", "figures_as_of", "figures_by_unit", "unit_summary"]


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
    """{unit id: Figures} for the learners directly in each unit, counted live from the records."""
    today = today or timezone.localdate()
    return combine(live_facts(courses, start, end, today), today)


def unit_summary(user, courses, start=None, end=None, today=None, unit=None):
    """Rows in tree order for the units `user` may see (only `unit` and those below it when given),
    each with its subtree's figures, and the total.

    The unit summary report and the dashboard's rate chart both read their figures from here, as
    counted at `figures_refreshed_at()`.
    """
    today = today or timezone.localdate()
    units = visible_units(user)
    if unit is not None:
        units = units.below([unit])  # within the scope: never more than the user sees
    units = list(units.order_by("path"))
    unit_figures.refreshed_at()  # counted at least once, and afresh where no worker counts them
    facts = unit_figures.stored_facts(courses, start, end, unit_ids=[unit.pk for unit in units])
    direct = combine(facts, today)
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


def figures_refreshed_at():
    """When the figures `unit_summary` reads were counted (shown beside them)."""
    return unit_figures.refreshed_at()


def figures_as_of(counted_at):
    """When the figures shown were counted, on the site's clock: "Số liệu cập nhật lúc 14:05 ngày
    03/12/2026" (a day always, never "today": a page read later must still say when)."""
    moment = timezone.localtime(counted_at, timezone.get_default_timezone())
    return _("Figures as of %(time)s on %(day)s") % {"time": f"{moment:%H:%M}", "day": table_date(moment)}
