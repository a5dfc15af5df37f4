"""Who may use our staff views, defined once for reports, certificates, courses and accounts: the
managers' gate, the managers' menu item, and a ModelViewSet whose every view reaches only the rows
the user's scope holds (accounts.scopes)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from .roles import is_administrator
from .scopes import sees_records


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


class ScopedModelViewSet(ModelViewSet):
    """A ModelViewSet narrowed in one place: index, results, export, inspect, edit, delete, history,
    usage and copy (and any view Wagtail adds later through construct_view) get ScopedViewMixin."""

    # Wagtail's reorder view looks its object up without get_object: not offered.
    reorder_view_enabled = False

    def scope(self, user, queryset):
        """The rows of `queryset` that `user` may reach (accounts.scopes.in_scope or units_in_scope)."""
        raise NotImplementedError

    def construct_view(self, view_class, **kwargs):
        scoped_class = type(view_class.__name__, (ScopedViewMixin, view_class), {"scoped_viewset": self})
        return super().construct_view(scoped_class, **kwargs)
