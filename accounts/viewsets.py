"""The accounts in the Wagtail admin, and who may use our staff views, defined once for reports,
certificates, courses and accounts: the managers' gate, the managers' menu item, a ModelViewSet whose
every view reaches only the rows the user's scope holds (accounts.scopes), and the site history
narrowed the same way. Then users, units and manager scopes."""

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from wagtail.admin.auth import require_admin_access
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.models import DeleteView, IndexView
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import ModelLogEntry
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet
from wagtail.utils.urlpatterns import decorate_urlpatterns

from accounts.forms import AdminUserCreationForm, AdminUserEditForm
from accounts.models import ManagerScope, OrganisationUnit, User
from accounts.roles import is_administrator
from accounts.scopes import sees_records, units_in_scope


class ManagersOnlyMixin:
    """Views of learners' records: managers with a scope and administrators; anyone else is refused."""

    def dispatch(self, request, *args, **kwargs):
        if not sees_records(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class AdministratorsOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not is_administrator(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ManagersMenuItem(MenuItem):
    """A menu item shown to those who see learners' records."""

    def is_shown(self, request):
        return sees_records(request.user)


class ScopedViewMixin:
    """Put in front of every view of a ScopedModelViewSet: its listing (and export) holds only rows in
    the user's scope, and an object outside it is not found, whichever view asks for it."""

    scoped_viewset = None

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        if queryset.model is self.model:  # not the log entries or references of one object
            queryset = self.scoped_viewset.scope(self.request.user, queryset)
        return queryset

    def get_object(self, *args, **kwargs):
        instance = super().get_object(*args, **kwargs)
        in_scope = self.scoped_viewset.scope(self.request.user, self.model._default_manager.filter(pk=instance.pk))
        if not in_scope.exists():
            raise Http404  # the same answer as for an id that does not exist
        return instance


# model → the scope of its viewset, filled as the scoped viewsets register: the site history asks it.
SCOPES = {}


class ScopedModelViewSet(ModelViewSet):
    """A ModelViewSet narrowed in one place: index, results, export, inspect, edit, delete, history,
    usage and copy (and any view Wagtail adds later through construct_view) get ScopedViewMixin."""

    # Wagtail's reorder view looks its object up without get_object: not offered.
    reorder_view_enabled = False

    def scope(self, user, queryset):
        """The rows of `queryset` that `user` may reach (accounts.scopes.in_scope or units_in_scope)."""
        raise NotImplementedError

    def construct_view(self, view_class, **kwargs):
        names = {
            "__module__": view_class.__module__,
            "__qualname__": view_class.__qualname__,
        }  # the view keeps its own name
        scoped_class = type(view_class.__name__, (ScopedViewMixin, view_class), {"scoped_viewset": self, **names})
        return super().construct_view(scoped_class, **kwargs)

    def on_register(self):
        super().on_register()
        SCOPES[self.model] = self.scope


def log_entries_in_scope(user):
    """Log entries of a scoped model only for objects in the user's scope; other entries as they are."""
    in_scope = ~Q(content_type__in=[ContentType.objects.get_for_model(model) for model in SCOPES])
    for model, scope in SCOPES.items():
        object_ids = scope(user, model._default_manager.all()).annotate(text_pk=Cast("pk", CharField()))
        in_scope |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=object_ids.values("text_pk"))
    return in_scope


class ScopedSiteHistoryView(LogEntriesView):
    """Wagtail's site history, with the entries of our scoped models narrowed as their viewsets are:
    Wagtail shows every entry of a model to anyone holding some permission on it."""

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if queryset.model is ModelLogEntry and not is_administrator(self.request.user):
            queryset = queryset.filter(log_entries_in_scope(self.request.user))
        return queryset


# Put before Wagtail's admin URLs (config/urls.py), so these answer /admin/reports/site-history/.
site_history_urls = decorate_urlpatterns(
    decorate_urlpatterns(
        [
            path("reports/site-history/", ScopedSiteHistoryView.as_view(), name="scoped_site_history"),
            path(
                "reports/site-history/results/",
                ScopedSiteHistoryView.as_view(results_only=True),
                name="scoped_site_history_results",
            ),
        ],
        require_admin_access,
    ),
    never_cache,
)


class UserViewSet(WagtailUserViewSet):
    """Wagtail's user admin, with full name, unit, position and staff category."""

    create_template_name = "accounts/admin/user_create.html"
    edit_template_name = "accounts/admin/user_edit.html"

    def get_form_class(self, for_update=False):
        return AdminUserEditForm if for_update else AdminUserCreationForm


class OrganisationUnitForm(WagtailAdminModelForm):
    parent = forms.ModelChoiceField(
        queryset=OrganisationUnit.objects.all(),
        required=False,
        label=_("Parent unit"),
        help_text=_("Leave empty for the top of the tree (the city)."),
    )

    class Meta:
        model = OrganisationUnit
        fields = ["code", "name", "type"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].label_from_instance = lambda unit: f"{'— ' * (unit.depth - 1)}{unit.name}"
        if self.instance.pk:
            self.fields["parent"].initial = self.instance.get_parent()
            # A unit cannot move under itself or one of its descendants.
            self.fields["parent"].queryset = OrganisationUnit.objects.exclude(
                OrganisationUnit.subtree_q([self.instance], field="")
            )

    @transaction.atomic
    def save(self, commit=True):
        unit = self.instance
        parent = self.cleaned_data["parent"]
        if unit.pk is None:
            return parent.add_child(instance=unit) if parent else OrganisationUnit.add_root(instance=unit)
        # Save the edited fields first: treebeard's move() reloads the node from the database.
        unit.save()
        if parent != unit.get_parent():
            if parent is None:
                unit.move(OrganisationUnit.get_last_root_node(), "last-sibling")
            else:
                unit.move(parent, "last-child")
            unit.refresh_from_db()
        return unit


class OrganisationUnitDeleteView(DeleteView):
    """Refuse, with the reason, to delete a unit whose subtree still has members."""

    def form_valid(self, form):
        members = User.objects.filter(OrganisationUnit.subtree_q([self.object])).count()
        if members:
            messages.error(
                self.request,
                ngettext(
                    "“%(unit)s” cannot be deleted: %(count)d person belongs to it or to a unit below it. "
                    "Move them to another unit first.",
                    "“%(unit)s” cannot be deleted: %(count)d people belong to it or to units below it. "
                    "Move them to another unit first.",
                    members,
                )
                % {"unit": self.object.name, "count": members},
            )
            return redirect(self.get_success_url())
        return super().form_valid(form)


class OrganisationUnitIndexView(IndexView):
    def get_base_queryset(self):
        return OrganisationUnit.objects.with_parent_name()


class OrganisationUnitViewSet(ScopedModelViewSet):
    model = OrganisationUnit
    index_view_class = OrganisationUnitIndexView
    delete_view_class = OrganisationUnitDeleteView
    icon = "group"
    menu_label = _("Units")
    list_display = ["name", "code", "type", Column("parent_name", label=_("Parent unit"))]
    list_filter = ["type"]
    search_fields = ["name", "code"]
    search_backend_name = None
    ordering = ["path"]
    add_to_admin_menu = False

    def get_form_class(self, for_update=False):
        return OrganisationUnitForm

    def scope(self, user, queryset):
        # Managers reach only the units of their scope; administrators every unit.
        return units_in_scope(user, queryset, unit="")


class ManagerScopeIndexView(IndexView):
    def get_base_queryset(self):
        return ManagerScope.objects.select_related("user", "unit")


class ManagerScopeViewSet(ScopedModelViewSet):
    model = ManagerScope
    index_view_class = ManagerScopeIndexView
    icon = "key"
    menu_label = _("Manager scopes")
    list_display = ["user", "unit"]
    form_fields = ["user", "unit"]
    search_fields = ["user__full_name", "user__email", "unit__name"]
    search_backend_name = None
    add_to_admin_menu = False

    def scope(self, user, queryset):
        return units_in_scope(user, queryset)


class OrganisationViewSetGroup(ViewSetGroup):
    menu_label = _("Organisation")
    menu_icon = "site"
    menu_order = 250
    items = (OrganisationUnitViewSet("units"), ManagerScopeViewSet("manager_scopes"))
