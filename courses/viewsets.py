"""Assignments in the Wagtail admin: managers assign a course to units of their scope by a due date."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.models import IndexView
from wagtail.admin.widgets.button import HeaderButton

from accounts.filters import UnitTreeFilter
from accounts.models import OrganisationUnit
from accounts.scopes import sees_records, units_in_scope, visible_units
from accounts.viewsets import ManagersOnlyMixin, ScopedModelViewSet
from accounts.widgets import UnitTreeSelectMultiple
from cms.viewsets import TableDateColumn
from courses.assignments import assign, learners_in
from courses.models import Assignment, CoursePage


class AssignForm(forms.Form):
    course = forms.ModelChoiceField(label=gettext_lazy("Course"), queryset=CoursePage.objects.live().order_by("title"))
    units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Units"),
        queryset=None,
        widget=UnitTreeSelectMultiple,
        help_text=gettext_lazy("Everyone in a chosen unit and in the units below it is expected to take the course."),
    )
    due_on = forms.DateField(label=gettext_lazy("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = visible_units(user).order_by("path")
        self.fields["units"].queryset = units
        learners = self.learner_counts(units)
        self.fields["units"].label_from_instance = lambda unit: (
            ngettext(
                "%(name)s (%(count)d learner, with the units below)",
                "%(name)s (%(count)d learners, with the units below)",
                learners.get(unit.pk, 0),
            )
            % {"name": unit.name, "count": learners.get(unit.pk, 0)}
        )

    @staticmethod
    def learner_counts(units):
        """{unit id: active learners in the unit and below it}, from one grouped query."""
        direct = get_user_model().objects.filter(is_active=True).count_per_unit()
        paths = {unit.pk: unit.path for unit in units}  # a unit's subtree is among them: scopes hold subtrees
        return {
            unit.pk: sum(
                count
                for unit_id, count in direct.items()
                if OrganisationUnit.path_is_below(paths.get(unit_id, ""), [unit])
            )
            for unit in units
        }

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError(_("The due date has passed: choose today or a later day."))
        return due_on


class AssignView(ManagersOnlyMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "courses/admin/assign.html"
    form_class = AssignForm
    page_title = gettext_lazy("Assign a course")
    header_icon = "calendar"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        units = list(form.cleaned_data["units"])
        assign(form.cleaned_data["course"], units, form.cleaned_data["due_on"], self.request.user)
        learners = learners_in(units).count()
        messages.success(
            self.request,
            ngettext(
                "“%(course)s” assigned to %(units)d unit(s), covering %(count)d learner.",
                "“%(course)s” assigned to %(units)d unit(s), covering %(count)d learners.",
                learners,
            )
            % {"course": form.cleaned_data["course"].title, "units": len(units), "count": learners},
        )
        return redirect("assignments:index")


class AssignmentFilterSet(WagtailFilterSet):
    unit = UnitTreeFilter()  # assignments to the chosen unit and to the units below it

    class Meta:
        model = Assignment
        fields = ["course", "unit"]


class AssignmentIndexView(IndexView):
    def get_base_queryset(self):
        return Assignment.objects.select_related("course", "unit", "assigned_by")

    @cached_property
    def header_buttons(self):
        if not sees_records(self.request.user):
            return []
        return [HeaderButton(_("Assign a course"), url=reverse("assignments:assign"), icon_name="plus")]


class AssignmentViewSet(ScopedModelViewSet):
    model = Assignment
    icon = "calendar"
    menu_label = gettext_lazy("Assignments")
    menu_order = 305
    add_to_admin_menu = True
    index_view_class = AssignmentIndexView
    list_display = [
        Column("course", label=gettext_lazy("Course")),
        Column("unit", label=gettext_lazy("Unit")),
        TableDateColumn("due_on", label=gettext_lazy("Due date")),
        Column("assigned_by", label=gettext_lazy("Assigned by")),
    ]
    filterset_class = AssignmentFilterSet
    form_fields = ["due_on"]
    search_fields = ["course__title", "unit__name"]
    search_backend_name = None
    copy_view_enabled = False  # a copy would be an assignment without a course or unit

    def scope(self, user, queryset):
        return units_in_scope(user, queryset)

    @property
    def add_view(self):
        # Assigning is the assign form (several units at once), whichever way it is reached.
        return AssignView.as_view()

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("assign/", AssignView.as_view(), name="assign")]
