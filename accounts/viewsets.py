from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.models import DeleteView, IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from accounts.admin_access import ScopedModelViewSet
from accounts.forms import AdminUserCreationForm, AdminUserEditForm
from accounts.models import ManagerScope, OrganisationUnit, User
from accounts.scopes import units_in_scope


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
            self.fields["parent"].queryset = OrganisationUnit.objects.exclude(path__startswith=self.instance.path)

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
        members = User.objects.filter(unit__path__startswith=self.object.path).count()
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
