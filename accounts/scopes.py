"""Which organisation units a user may see: the one rule every report, export and page uses."""

from functools import reduce
from operator import or_

from django.db.models import Q

from .models import OrganisationUnit
from .roles import is_administrator


def visible_units(user):
    """Units whose learners' records `user` may see.

    Administrators see every unit; a manager sees each scoped unit and its whole subtree;
    everyone else sees none.
    """
    if not user.is_authenticated:
        return OrganisationUnit.objects.none()
    if is_administrator(user):
        return OrganisationUnit.objects.all()
    scope_paths = list(user.manager_scopes.values_list("unit__path", flat=True))
    if not scope_paths:
        return OrganisationUnit.objects.none()
    # A materialised path starts with its ancestors' paths, so a subtree is one prefix match.
    return OrganisationUnit.objects.filter(reduce(or_, (Q(path__startswith=path) for path in scope_paths)))


def sees_records(user):
    """Administrators and managers with at least one scope: who may open reports, exports and ZIPs."""
    return user.is_authenticated and (is_administrator(user) or user.manager_scopes.exists())


def can_see_unit(user, unit):
    return unit is not None and visible_units(user).filter(pk=unit.pk).exists()
