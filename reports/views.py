"""The managers' reports in the Wagtail admin, each with CSV and XLSX exports that are logged."""

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView

from accounts.admin_access import ManagersOnlyMixin
from audit.services import log_export
from reports import exports
from reports.filters import CompletionRecordsFilterSet, UnitSummaryFilterSet
from reports.rows import HEADINGS, CompletionRows
from reports.summary import SummaryRow, chosen_courses, unit_summary


class ScopedReportView(ManagersOnlyMixin, ReportView):
    """Managers and administrators only; every export goes into the export log."""

    report_name = ""
    show_export_buttons = True  # our exports do not use Wagtail's list_export

    @cached_property
    def valid_filters(self):
        return self.filters is not None and self.filters.is_valid()

    def get_queryset(self):
        return []  # the rows come from report_rows(), built from the valid filters

    def get_filtered_queryset(self):
        return self.report_rows(self.filters.form.cleaned_data) if self.valid_filters else []

    def report_rows(self, data):
        """The report's rows for the filter form's cleaned data."""
        raise NotImplementedError

    def as_spreadsheet(self, rows, spreadsheet_format):
        if not self.valid_filters:
            rows = []  # junk filters export nothing: the file keeps its headings
        finished = log_export(
            self.request.user,
            self.report_name,
            spreadsheet_format,
            {key: value for key, value in self.request.GET.items() if key != "export"},
        )
        headings = [str(heading) for heading in self.headings]
        values = (self.export_values(row) for row in rows)
        make = exports.csv_response if spreadsheet_format == self.FORMAT_CSV else exports.xlsx_response
        return make(self.get_filename(), headings, values, finished)


class CompletionRecordsView(ScopedReportView):
    page_title = _("Completion records")
    header_icon = "list-ul"
    report_name = "completion_records"
    index_url_name = "reports_completion_records"
    index_results_url_name = "reports_completion_records_results"
    filterset_class = CompletionRecordsFilterSet
    export_filename = "ho-so-hoan-thanh"
    headings = HEADINGS
    paginate_by = 50
    columns = [
        Column("full_name", label=_("Full name")),
        Column("unit", label=_("Unit")),
        Column("course", label=_("Course")),
        Column("source", label=_("Source")),
        Column("due_on", label=_("Due date")),
        Column("progress", label=_("Progress (%)")),
        Column("completed_at", label=_("Completed")),
        Column("certificate_serial", label=_("Certificate")),
    ]

    def report_rows(self, data):
        completed = data.get("completed")
        return CompletionRows(
            self.request.user,
            unit=data.get("unit"),
            course=data.get("course"),
            area=int(data["area"]) if data.get("area") else None,
            status=data.get("status") or None,
            completed_from=completed.start if completed else None,
            completed_to=completed.stop if completed else None,
            staff_category=data.get("staff_category") or None,
        )

    @staticmethod
    def export_values(row):
        return row  # a Row is its cells, in the order of the headings


class UnitSummaryView(ScopedReportView):
    page_title = _("Unit summary")
    header_icon = "site"
    report_name = "unit_summary"
    index_url_name = "reports_unit_summary"
    index_results_url_name = "reports_unit_summary_results"
    filterset_class = UnitSummaryFilterSet
    results_template_name = "reports/unit_summary_results.html"
    export_filename = "tong-hop-theo-don-vi"
    paginate_by = None
    columns = [Column("unit", label=_("Unit"))]  # the table itself is reports/unit_summary_results.html
    headings = [
        _("Unit"),
        _("Learners"),
        _("Assigned"),
        _("Enrolled"),
        _("Completed"),
        _("Completion rate (%)"),
        _("Overdue"),
        _("Certificates issued"),
    ]

    def report_rows(self, data):
        period = data.get("period")
        rows, self.total = unit_summary(
            self.request.user,
            chosen_courses(data.get("courses") or "area-1"),
            start=period.start if period else None,
            end=period.stop if period else None,
        )
        return rows + [SummaryRow(unit=None, depth=0, figures=self.total, is_subtotal=True)]

    def get_filterset_kwargs(self):
        kwargs = super().get_filterset_kwargs()
        if not kwargs["data"].get("courses"):
            kwargs["data"] = kwargs["data"].copy()
            kwargs["data"]["courses"] = "area-1"
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = context["object_list"]
        return context

    def export_values(self, row):
        figures = row.figures
        name = ("    " * (row.depth - 1) + row.unit.name) if row.unit else str(_("Total"))
        return [
            name,
            figures.learners,
            figures.assigned,
            figures.enrolled,
            figures.completed,
            figures.completion_rate if figures.completion_rate is not None else "",
            figures.overdue,
            figures.certificates,
        ]
