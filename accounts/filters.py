"""The unit filter every listing uses: the units the user sees (accounts.scopes.visible_units), as
a tree with a search by name (accounts.widgets.UnitTreeSelect), keeping the rows of the chosen
unit and of every unit below it."""

from django.utils.translation import gettext_lazy as _

import django_filters

from accounts.models import OrganisationUnit
from accounts.scopes import visible_units
from accounts.widgets import UnitTreeSelect


def units_the_request_sees(request):
    """The filter's choices; django-filter passes no request when the filter set is unbound."""
    return visible_units(request.user).order_by("path") if request else OrganisationUnit.objects.none()


class UnitTreeFilter(django_filters.ModelChoiceFilter):
    """A unit out of those the user sees; rows whose unit (through `unit_field`) is in its subtree.

    A unit the user does not see is not a choice: the filter form says so, as for any bad choice.
    """

    def __init__(self, *args, unit_field="unit", **kwargs):
        self.unit_field = unit_field
        kwargs.setdefault("label", _("Unit (with the units below it)"))
        kwargs.setdefault("queryset", units_the_request_sees)
        kwargs.setdefault("widget", UnitTreeSelect)
        kwargs.setdefault("empty_label", _("All units"))
        kwargs.setdefault("blank", True)  # else Django drops the empty choice of radio buttons
        super().__init__(*args, **kwargs)

    def filter(self, queryset, value):
        if not value:
            return queryset
        return queryset.filter(OrganisationUnit.subtree_q([value], field=self.unit_field))
