from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.mfa import has_passed_second_factor, has_proved_mailbox, has_totp, needs_second_factor


def _with_next(url_name, next_url):
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


class RequireStaffTwoFactorMiddleware:
    """Keep staff sessions out of /admin/ until they have passed the second factor (accounts.mfa).

    allauth offers MFA but leaves enforcing it to the project. Signing in to the admin goes
    through allauth's login (see config/urls.py), which asks for the TOTP code once it is set up, and
    for an e-mailed code while it is not (AccountAdapter.is_login_by_code_required). A staff
    session may bind its first authenticator only after such a code proved the mailbox, so a
    stolen password alone can neither open the admin nor set up an authenticator.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/admin/"

    def __call__(self, request):
        if not request.user.is_authenticated:
            return self.get_response(request)
        if request.path.startswith(self.admin_prefix):
            return self.guard_admin(request)
        user = request.user
        if request.path == reverse("mfa_activate_totp") and needs_second_factor(user) and not has_totp(user):
            return self.guard_first_authenticator(request)
        return self.get_response(request)

    def guard_admin(self, request):
        user = request.user
        if not needs_second_factor(user):
            # Wagtail would send a signed-in learner to the login page, which allauth sends
            # straight back here: a loop. Say plainly that the admin is not for them.
            raise PermissionDenied
        if has_passed_second_factor(request):
            return self.get_response(request)
        if has_totp(user):
            # Signed in some other way (or the authenticator was bound elsewhere): ask for the code.
            return redirect(_with_next("mfa_reauthenticate", request.get_full_path()))
        messages.warning(
            request,
            _("Staff accounts need two-factor authentication. Set up an authenticator app to open the admin."),
        )
        return self.guard_first_authenticator(request, to_activation=True)

    def guard_first_authenticator(self, request, to_activation=False):
        if has_proved_mailbox(request):
            return redirect(reverse("mfa_activate_totp")) if to_activation else self.get_response(request)
        # The session began without an e-mailed code (say, the user became staff after signing
        # in): prove the mailbox now, then come back to set up the authenticator.
        return redirect(_with_next("account_request_reauthentication_code", reverse("mfa_activate_totp")))
