from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks

from accounts.scopes import sees_records
from accounts.viewsets import ManagersMenuItem
from reports.dashboard import ManagerDashboardPanel
from reports.viewsets import CompletionRecordsView, ExportLogViewSet, UnitSummaryView


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path("reports/completion-records/", CompletionRecordsView.as_view(), name="reports_completion_records"),
        path(
            "reports/completion-records/results/",
            CompletionRecordsView.as_view(results_only=True),
            name="reports_completion_records_results",
        ),
        path("reports/unit-summary/", UnitSummaryView.as_view(), name="reports_unit_summary"),
        path(
            "reports/unit-summary/results/",
            UnitSummaryView.as_view(results_only=True),
            name="reports_unit_summary_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_completion_records_menu_item():
    return ManagersMenuItem(
        _("Completion records"), reverse("reports_completion_records"), icon_name="list-ul", order=10
    )


@hooks.register("register_reports_menu_item")
def register_unit_summary_menu_item():
    return ManagersMenuItem(_("Unit summary"), reverse("reports_unit_summary"), icon_name="site", order=11)


@hooks.register("construct_homepage_panels")
def add_manager_dashboard(request, panels):
    if sees_records(request.user):
        panels.insert(0, ManagerDashboardPanel(request.user, request.GET))


@hooks.register("register_admin_viewset")
def register_export_log_viewset():
    return ExportLogViewSet("export_log")


@hooks.register("register_permissions")
def export_log_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="audit", codename="view_exportlog")
