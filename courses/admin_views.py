"""Assignments in the Wagtail admin: managers assign a course to units of their scope by a due date."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView

from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.models import DeleteView, EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from accounts.scopes import sees_records, visible_units
from courses.assignments import assign, learners_in
from courses.models import Assignment, CoursePage


class AssignForm(forms.Form):
    course = forms.ModelChoiceField(label=gettext_lazy("Course"), queryset=CoursePage.objects.live().order_by("title"))
    units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Units"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
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
                "%(indent)s%(name)s (%(count)d learner, with the units below)",
                "%(indent)s%(name)s (%(count)d learners, with the units below)",
                learners.get(unit.pk, 0),
            )
            % {"indent": "— " * (unit.depth - 1), "name": unit.name, "count": learners.get(unit.pk, 0)}
        )

    @staticmethod
    def learner_counts(units):
        """{unit id: active learners in the unit and below it}, from one grouped query."""
        direct = get_user_model().objects.filter(is_active=True).count_per_unit()
        paths = {unit.pk: unit.path for unit in units}  # a unit's subtree is among them: scopes hold subtrees
        return {
            unit.pk: sum(count for unit_id, count in direct.items() if paths.get(unit_id, "").startswith(unit.path))
            for unit in units
        }

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError(_("The due date has passed: choose today or a later day."))
        return due_on


class AssignView(WagtailAdminTemplateMixin, FormView):
    template_name = "courses/admin/assign.html"
    form_class = AssignForm
    page_title = gettext_lazy("Assign a course")
    header_icon = "calendar"

    def dispatch(self, request, *args, **kwargs):
        if not sees_records(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

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


def assignments_in_scope(user):
    return Assignment.objects.filter(unit__in=visible_units(user)).select_related("course", "unit", "assigned_by")


class InScopeMixin:
    """Edit and delete reach only assignments of the user's units; any other id is not found."""

    def get_object(self, queryset=None):
        return get_object_or_404(assignments_in_scope(self.request.user), pk=self.kwargs["pk"])


class AssignmentEditView(InScopeMixin, EditView):
    pass


class AssignmentDeleteView(InScopeMixin, DeleteView):
    pass


class AssignmentIndexView(IndexView):
    def get_base_queryset(self):
        return assignments_in_scope(self.request.user)

    @cached_property
    def header_buttons(self):
        if not sees_records(self.request.user):
            return []
        return [HeaderButton(_("Assign a course"), url=reverse("assignments:assign"), icon_name="plus")]


class AssignmentViewSet(ModelViewSet):
    model = Assignment
    icon = "calendar"
    menu_label = gettext_lazy("Assignments")
    menu_order = 305
    add_to_admin_menu = True
    index_view_class = AssignmentIndexView
    edit_view_class = AssignmentEditView
    delete_view_class = AssignmentDeleteView
    list_display = [
        Column("course", label=gettext_lazy("Course")),
        Column("unit", label=gettext_lazy("Unit")),
        DateColumn("due_on", label=gettext_lazy("Due date")),
        Column("assigned_by", label=gettext_lazy("Assigned by")),
    ]
    list_filter = ["course"]
    form_fields = ["due_on"]
    search_fields = ["course__title", "unit__name"]
    search_backend_name = None

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("assign/", AssignView.as_view(), name="assign")]
