from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from allauth.mfa.models import Authenticator


def needs_totp_setup(user):
    """Anyone who may enter the Wagtail admin must have set up an authenticator app first."""
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireStaffTwoFactorMiddleware:
    """Keep staff out of /admin/ until they have TOTP two-factor authentication.

    allauth offers MFA but leaves enforcing it to the project. Signing in to the admin goes
    through allauth's login (see cms/urls.py), which asks for the code once TOTP is set up.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/admin/"

    def __call__(self, request):
        if not request.path.startswith(self.admin_prefix) or not request.user.is_authenticated:
            return self.get_response(request)
        if not request.user.has_perm("wagtailadmin.access_admin"):
            # Wagtail would send a signed-in learner to the login page, which allauth sends
            # straight back here: a loop. Say plainly that the admin is not for them.
            raise PermissionDenied
        if needs_totp_setup(request.user):
            messages.warning(
                request,
                _("Staff accounts need two-factor authentication. Set up an authenticator app to open the admin."),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
