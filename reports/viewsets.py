"""The managers' reports in the Wagtail admin: their filters (validated like any form; a unit outside
the user's scope is not a choice), the reports, each with CSV and XLSX exports that are logged, and
the export log for administrators."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.models import IndexView, InspectView
from wagtail.admin.views.reports import ReportView

import django_filters

from accounts.filters import UnitTreeFilter
from accounts.roles import is_administrator
from accounts.viewsets import ManagersOnlyMixin, ScopedModelViewSet
from audit.models import ExportLog
from audit.services import log_export
from cms.dates import export_date
from cms.models import ProgrammeArea
from cms.viewsets import TableDateColumn, TextColumn
from courses.models import CoursePage
from ops.replica import iterate_on_replica, reads_from_replica
from reports import copy_export, exports, xlsx
from reports.lag import current_lag_notice
from reports.rows import HEADINGS, CompletionRows, Cursor, Status
from reports.summary import SummaryRow, chosen_courses, figures_as_of, figures_refreshed_at, unit_summary

# As Wagtail's own filters show a few choices: radio buttons, "All" first.
RADIOS = {"widget": forms.RadioSelect, "empty_label": _("All")}


class DateRangeForm(forms.Form):
    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, slice) and value.start and value.stop and value.start > value.stop:
                self.add_error(name, _("The end date is before the start date."))
        return data


class CompletionRecordsFilterSet(WagtailFilterSet):
    unit = UnitTreeFilter(method="keep")
    course = django_filters.ModelChoiceFilter(
        label=_("Course"), queryset=CoursePage.objects.live().order_by("title"), method="keep"
    )
    area = django_filters.ChoiceFilter(
        label=_("Programme area"), choices=ProgrammeArea.choices, method="keep", **RADIOS
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.CHOICES, method="keep", **RADIOS)
    completed = django_filters.DateFromToRangeFilter(
        label=_("Completed between"), widget=DateRangePickerWidget, method="keep"
    )
    staff_category = django_filters.ChoiceFilter(
        label=_("Staff category"), choices=get_user_model().StaffCategory.choices, method="keep", **RADIOS
    )

    class Meta:
        model = get_user_model()
        fields = []
        form = DateRangeForm

    def keep(self, queryset, name, value):
        return queryset  # the rows are built from the cleaned values (reports.rows), not filtered here


class UnitSummaryFilterSet(WagtailFilterSet):
    COURSE_SETS = [("area-1", _("All area 1 courses")), ("area-3", _("All area 3 courses"))]

    courses = django_filters.ChoiceFilter(
        label=_("Courses"), choices=[], method="keep", empty_label=None, widget=forms.RadioSelect
    )
    period = django_filters.DateFromToRangeFilter(label=_("Period"), widget=DateRangePickerWidget, method="keep")
    unit = UnitTreeFilter(method="keep")

    class Meta:
        model = get_user_model()
        fields = []
        form = DateRangeForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = list(self.COURSE_SETS) + [
            (str(course.pk), course.title) for course in CoursePage.objects.live().order_by("title")
        ]
        self.filters["courses"].extra["choices"] = choices

    def keep(self, queryset, name, value):
        return queryset


class ScopedReportView(ManagersOnlyMixin, ReportView):
    """Managers and administrators only; every export goes into the export log.

    The rows are read from the standby when there is one (ops.replica), with a notice when it is
    behind; the rest of the page (the signed-in user, the menu, permission checks, the filter
    form's choices) is read on the primary before and after, and a streamed export's rows in the
    scope as they are sent.
    """

    report_name = ""
    show_export_buttons = True  # our exports do not use Wagtail's list_export
    results_template_name = "reports/report_results.html"

    @reads_from_replica()
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lag_notice"] = current_lag_notice()
        return context

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
        if copy_export.available(rows):
            # PostgreSQL writes the rows itself (COPY), byte for byte as the Python writers would.
            if spreadsheet_format == self.FORMAT_CSV:
                copied, respond = copy_export.completion_csv(rows), exports.written_csv_response
            else:
                copied, respond = copy_export.completion_xlsx(rows), xlsx.written_xlsx_response
            chunks = iterate_on_replica(copied)
            return respond(self.get_filename(), headings, chunks, lambda: copied.row_count, finished)
        values = iterate_on_replica(self.export_values(row) for row in rows)
        make = exports.csv_response if spreadsheet_format == self.FORMAT_CSV else xlsx.xlsx_response
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
    results_template_name = "reports/completion_records_results.html"
    keyset_page, cursor_refused = None, False  # until paginate_queryset pages the rows
    columns = [
        TextColumn("full_name", label=_("Full name")),
        TextColumn("unit", label=_("Unit")),
        TextColumn("course", label=_("Course")),
        TextColumn("source", label=_("Source")),
        TableDateColumn("due_on", label=_("Due date")),
        TextColumn("progress", label=_("Progress (%)")),
        TableDateColumn("completed_at", label=_("Completed")),
        TextColumn("certificate_serial", label=_("Certificate")),
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

    def paginate_queryset(self, rows, page_size):
        """A page by cursor (CompletionRows.page: no count, no OFFSET) instead of Wagtail's numbered
        pages: `?after=<cursor>`, `?before=<cursor>` or `?last=1`; a cursor that is not one of these
        rows' gives the first page and a notice."""
        if not isinstance(rows, CompletionRows):
            return super().paginate_queryset(rows, page_size)  # junk filters: no rows
        chosen, self.cursor_refused = self.chosen_cursor(rows)
        self.keyset_page = rows.page(page_size, **chosen)
        return None, None, self.keyset_page.rows, False

    def chosen_cursor(self, rows):
        """({"after" or "before": a cursor} or {"last": True} or {}, whether a cursor was refused)."""
        query = self.request.GET
        for name in ("after", "before"):
            if name in query:
                cursor = Cursor.parse(query[name])
                return ({name: cursor}, False) if rows.knows(cursor) else ({}, True)
        return ({"last": True} if query.get("last") == "1" else {}), False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["keyset_page"], context["cursor_refused"] = self.keyset_page, self.cursor_refused
        return context

    @staticmethod
    def export_values(row):
        # A Row is its cells, in the order of the headings; its moments are written as exports write
        # them (ISO 8601 with the site's offset), its dates as ISO dates by reports.exports.
        return row._replace(enrolled_at=export_date(row.enrolled_at), completed_at=export_date(row.completed_at))


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
        _("Assigned and completed"),
        _("Assigned completion rate (%)"),
    ]

    def report_rows(self, data):
        period = data.get("period")
        rows, self.total = unit_summary(
            self.request.user,
            chosen_courses(data.get("courses") or "area-1"),
            start=period.start if period else None,
            end=period.stop if period else None,
            unit=data.get("unit"),
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
        context["figures_as_of"] = figures_as_of(figures_refreshed_at())
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
            figures.assigned_completed,
            figures.assigned_completion_rate if figures.assigned_completion_rate is not None else "",
        ]


class ExportTimeTitleColumn(TitleColumn):
    """The export log's first column: when, as the exports write a moment (ISO 8601 with the site's
    offset), linked to the entry."""

    def get_value(self, instance):
        return export_date(super().get_value(instance))


class ExportLogIndexView(IndexView):
    def _get_title_column(self, field_name, column_class=ExportTimeTitleColumn, **kwargs):
        return super()._get_title_column(field_name, column_class, **kwargs)


class ExportLogInspectView(InspectView):
    def get_created_at_display_value(self):
        return export_date(self.object.created_at)


class ExportLogViewSet(ScopedModelViewSet):
    """Administrators read who exported what; nobody edits the log."""

    model = ExportLog
    icon = "history"
    menu_label = _("Export log")
    add_to_settings_menu = True
    list_display = ["created_at", "user", "report", "export_format", "row_count"]
    list_filter = ["report", "export_format"]
    index_view_class = ExportLogIndexView
    inspect_view_class = ExportLogInspectView
    inspect_view_enabled = True
    form_fields = []
    copy_view_enabled = False

    def scope(self, user, queryset):
        return queryset if is_administrator(user) else queryset.none()
