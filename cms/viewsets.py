"""The help directory in the Wagtail admin: a snippet listing that shows which entries need checking;
and the admin's date column, which every app's lists use (cms.dates: a table shows "05/03/2026",
never "2 days ago")."""

import datetime

from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.snippets.views.snippets import SnippetViewSet

import django_filters

from cms.dates import table_date
from cms.models import ServiceProvider


class TextColumn(Column):
    """A column whose cells are written without a template: what wagtailadmin/tables/cell.html
    writes, for the long report pages (eight columns of fifty rows, a template each, were a
    tenth of the page's time)."""

    def render_cell_html(self, instance, parent_context):
        value = self.get_value(instance)
        classname = format_html(' class="{}"', self.classname) if self.classname else ""
        return format_html("<td{}>{}</td>", classname, "" if value is None else value)


class TableDateColumn(TextColumn):
    """A date in a list, as every table shows it: "05/03/2026" (Wagtail's DateColumn says "2 days
    ago", which a due date must never say)."""

    def get_value(self, instance):
        return table_date(super().get_value(instance))


class ServiceProviderFilterSet(WagtailFilterSet):
    needs_verification = django_filters.BooleanFilter(
        label=_("Not verified for 12 months"), method="filter_needs_verification"
    )

    class Meta:
        model = ServiceProvider
        fields = ["provider_type", "ward", "is_sample"]

    def filter_needs_verification(self, queryset, name, value):
        year_ago = timezone.localdate() - datetime.timedelta(days=365)
        return queryset.filter(last_verified__lt=year_ago) if value else queryset.filter(last_verified__gte=year_ago)


class ServiceProviderViewSet(SnippetViewSet):
    model = ServiceProvider
    icon = "help"
    menu_label = _("Help directory")
    menu_order = 240
    add_to_admin_menu = True
    list_display = [
        "name",
        "provider_type",
        "phone",
        Column("ward", label=_("ward or commune")),
        TableDateColumn(
            "last_verified",
            label=capfirst(ServiceProvider._meta.get_field("last_verified").verbose_name),
            sort_key="last_verified",
        ),
        BooleanColumn("needs_verification", label=_("Needs verification")),
    ]
    filterset_class = ServiceProviderFilterSet
    search_fields = ["name", "services", "address"]
    ordering = ["last_verified", "name"]

    def get_queryset(self, request):
        return ServiceProvider.objects.select_related("ward")
