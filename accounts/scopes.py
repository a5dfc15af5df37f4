"""Whose records a user sees: the one rule every report, export, list and download uses.

Administrators see everything, learners without a unit included; a manager sees the learners (and
the unit-owned rows) of each scoped unit and of every unit below it; everyone else sees nothing.
"""

from django.db.models import Q

from accounts.models import OrganisationUnit
from accounts.roles import is_administrator


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
    return OrganisationUnit.objects.below(scope_paths)


def sees_records(user):
    """Administrators and managers with at least one scope: who may open reports, exports and ZIPs."""
    return user.is_authenticated and (is_administrator(user) or user.manager_scopes.exists())


def unit_scope_filter(user, unit="unit"):
    """The condition behind units_in_scope; `unit` is the path to the owning unit ("" for units)."""
    if user.is_authenticated and is_administrator(user):
        return Q()  # every row, those without a unit included
    # The unit table is small: its ids, read once, keep the queries that use them simple.
    unit_ids = list(visible_units(user).values_list("pk", flat=True))
    return Q(**{f"{unit}__in" if unit else "pk__in": unit_ids})


def scope_filter(user, learner="user"):
    """The condition behind in_scope, for code that combines it with other conditions."""
    return unit_scope_filter(user, f"{learner}__unit" if learner else "unit")


def in_scope(user, queryset, learner="user"):
    """`queryset` of learners' records narrowed to those `user` may see.

    `learner` is the field path from the queryset's model to the learner ("user" for enrolments,
    completions and certificates; "" for a queryset of users).
    """
    return queryset.filter(scope_filter(user, learner))


def units_in_scope(user, queryset, unit="unit"):
    """`queryset` of rows that belong to a unit (assignments, manager scopes), or of units (unit=""),
    narrowed by the same rule: the units `user` sees; administrators see every row."""
    return queryset.filter(unit_scope_filter(user, unit))
