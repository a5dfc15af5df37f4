"""The reports' filters: validated like any form; a unit outside the user's scope is not a choice."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet

import django_filters

from accounts.models import OrganisationUnit
from accounts.scopes import visible_units
from cms.models import ProgrammeArea
from courses.models import CoursePage
from reports.rows import Status

# As Wagtail's own filters show a few choices: radio buttons, "All" first.
RADIOS = {"widget": forms.RadioSelect, "empty_label": _("All")}


def unit_choices(request):
    """The units a filter offers: those the user sees (django-filter passes no request when unbound)."""
    return visible_units(request.user).order_by("path") if request else OrganisationUnit.objects.none()


class DateRangeForm(forms.Form):
    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, slice) and value.start and value.stop and value.start > value.stop:
                self.add_error(name, _("The end date is before the start date."))
        return data


class CompletionRecordsFilterSet(WagtailFilterSet):
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit (with the units below it)"), queryset=unit_choices, method="keep"
    )
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
