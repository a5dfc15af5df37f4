"""The dashboard's rate chart: per unit, the share of assigned learners who completed, with exactly
the unit summary's figures, for a chosen course set and period; drawn as SVG on the server with the
same figures as a table; bad choices are refused in Vietnamese, never with an error page."""

import datetime
import html as html_lib
import re

import pytest

from courses.models import Completion
from reports.charts import LAST_12_MONTHS, PLAN_STARTED_ON, SINCE_PLAN, THIS_YEAR, period_dates, rate_chart
from tests.reports.test_reports import csv_rows, manager_of

pytestmark = pytest.mark.django_db


def panel(html):
    return html.split('id="manager-dashboard-heading"')[1].split("</section>\n</section>")[0]


def chart_table(html):
    """{unit: (assigned, assigned and completed, rate)} from the chart's table alternative."""
    table = html[html.index('<details class="rate-chart__table">') :]
    table = table[: table.index("</table>")]
    return {
        name: (assigned, completed, rate.strip())
        for name, assigned, completed, rate in re.findall(
            r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td><td>(\d+)</td>\s*<td>([^<]+)</td></tr>', table
        )
    }


def summary_link(html):
    return html_lib.unescape(re.search(r'<a href="(/admin/reports/unit-summary/\?[^"]+)"', html).group(1))


@pytest.mark.parametrize(
    "choice",
    [
        {},
        {"chart-period": LAST_12_MONTHS},
        {"chart-period": SINCE_PLAN, "chart-courses": "area-1"},
        {"chart-courses": "area-3"},
        {"chart-unit": "HN-P-HK"},
    ],
)
def test_the_chart_shows_the_unit_summary_figures(staff_client, unit_tree, records, choice):
    if "chart-unit" in choice:
        choice = {**choice, "chart-unit": unit_tree[choice["chart-unit"]].pk}
    client = manager_of(staff_client, unit_tree, "HN")

    html = panel(client.get("/admin/", choice).content.decode())
    summary = {row[0].strip(): row for row in csv_rows(client.get(summary_link(html) + "&export=csv"))[1:]}

    chart = chart_table(html)
    assert chart  # the chart's units, each found in the summary with the same figures
    for name, (assigned, completed, rate) in chart.items():
        assert (assigned, completed) == (summary[name][2], summary[name][8])
        assert rate == (summary[name][9] or "— (không có giao khóa học)")


def test_the_city_managers_chart_shows_the_citys_units_with_their_rates(staff_client, unit_tree, records):
    client = manager_of(staff_client, unit_tree, "HN")

    html = panel(client.get("/admin/").content.decode())

    assert chart_table(html) == {
        "Sở Y tế": ("0", "0", "— (không có giao khóa học)"),
        "Phường Hoàn Kiếm": ("3", "1", "33"),
        "Xã Sóc Sơn": ("0", "0", "— (không có giao khóa học)"),
    }
    assert ">33%</text>" in html and html.count("không có giao khóa học</text>") == 2


def test_the_chart_is_an_image_with_a_name_and_a_table_beside_it(staff_client, unit_tree, records):
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    html = panel(client.get("/admin/").content.decode())

    svg = re.search(r'<svg role="img" aria-labelledby="chart-rate-title"[^>]*>\s*<title>([^<]+)</title>', html)
    assert svg and "tỷ lệ người được giao đã hoàn thành" in svg.group(1)
    assert 'id="chart-rate-title"' in html
    assert "<summary>Số liệu của biểu đồ dưới dạng bảng</summary>" in html and "<caption>" in html
    assert "Tỷ lệ hoàn thành khóa học được giao (%)" in html
    svg_html = html[html.index("<svg") : html.index("</svg>")]
    assert re.search(r'width="\d+\.\d"', svg_html)  # SVG numbers with a point, though Vietnamese writes a comma
    assert not re.search(r'="\d+,\d', svg_html)
    assert chart_table(html) == {
        "Trạm Y tế phường Hoàn Kiếm": ("1", "0", "0"),
        "Công an phường Hoàn Kiếm": ("2", "1", "50"),
    }


def test_a_period_counts_the_completions_made_in_it(unit_tree, records):
    from tests.accounts.factories import ManagerScopeFactory, UserFactory

    manager = UserFactory(roles=["Managers"])
    ManagerScopeFactory(user=manager, unit=unit_tree["HN-P-HK"])
    today = datetime.date(2026, 6, 15)
    Completion.objects.filter(user=records["done"]).update(completed_on=datetime.date(2025, 12, 1))

    def rates(period):
        return {bar["name"]: bar["rate"] for bar in rate_chart(manager, "area-1", period, today=today)["bars"]}

    assert rates(THIS_YEAR)["Công an phường Hoàn Kiếm"] == 0
    assert rates(LAST_12_MONTHS)["Công an phường Hoàn Kiếm"] == 50
    assert rates(SINCE_PLAN)["Công an phường Hoàn Kiếm"] == 50


def test_the_periods_run_to_today():
    today = datetime.date(2026, 3, 5)

    assert period_dates(THIS_YEAR, today) == (datetime.date(2026, 1, 1), today)
    assert period_dates(LAST_12_MONTHS, today) == (datetime.date(2025, 3, 6), today)
    assert period_dates(SINCE_PLAN, today) == (PLAN_STARTED_ON, today)
    assert period_dates(LAST_12_MONTHS, datetime.date(2028, 2, 29)) == (
        datetime.date(2027, 3, 1),
        datetime.date(2028, 2, 29),
    )


def test_one_course_is_a_choice_too(staff_client, unit_tree, records, course):
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    html = panel(client.get("/admin/", {"chart-courses": str(course["course"].pk)}).content.decode())

    assert chart_table(html)["Công an phường Hoàn Kiếm"] == ("2", "1", "50")
    assert course["course"].title in html


@pytest.mark.parametrize(
    "junk",
    [
        {"chart-period": "forever"},
        {"chart-courses": "999999"},
        {"chart-unit": "abc"},
        {"chart-unit": "HN-X-SS"},  # a unit outside the manager's scope
    ],
)
def test_bad_choices_get_a_clear_message_and_the_default_chart(staff_client, unit_tree, records, junk):
    if junk.get("chart-unit") == "HN-X-SS":
        junk = {"chart-unit": unit_tree["HN-X-SS"].pk}
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    response = client.get("/admin/", junk)

    html = panel(response.content.decode())
    assert response.status_code == 200
    assert "Một số lựa chọn không hợp lệ" in html and "Hãy chọn một lựa chọn hợp lệ." in html
    assert chart_table(html)["Công an phường Hoàn Kiếm"] == ("2", "1", "50")
    assert "Xã Sóc Sơn" not in html


def test_a_rate_over_100_stops_at_the_edge_and_says_its_figure():
    from django.template.loader import render_to_string

    from accounts.models import OrganisationUnit
    from reports.charts import BAR_SPACE, drawn
    from reports.summary import Figures, SummaryRow

    rows = [
        SummaryRow(
            unit=OrganisationUnit(name="Đơn vị lạ"), depth=2, figures=Figures(assigned=10, assigned_completed=13)
        ),
        SummaryRow(unit=OrganisationUnit(name="Đơn vị trống"), depth=2, figures=Figures()),
    ]

    chart = drawn(rows)
    html = render_to_string("reports/includes/rate_chart.html", {"chart": chart, "chart_id": "c", "title": "T"})

    assert chart["bars"][0]["bar_width"] == BAR_SPACE and ">130%</text>" in html
    assert chart["bars"][1]["bar_width"] == 0 and "— (không có giao khóa học)" in html
