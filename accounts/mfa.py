"""The second factor, defined once: who needs it, and whether this session has passed it.

allauth keeps a list of the ways the session's user proved who they are ("authentication
records"). A session has passed the second factor when that list holds an `mfa` record: allauth
writes one when a TOTP or recovery code is accepted at login or reauthentication, and we write one
when the user binds a TOTP authenticator in this session (entering its first code proves possession
too). Everything staff-only asks `has_passed_second_factor`; nothing asks whether a user merely
*has* an authenticator.
"""

import time

from django.dispatch import receiver

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added

SECOND_FACTOR = "mfa"
MAILBOX_CODE = "code"
PASSWORD_METHOD = "password"  # noqa: S105 - the name of a sign-in method, not a secret
# How long after signing in with password and e-mailed code a staff member may bind their first
# authenticator without typing the password again (accounts.adapters): time to open an app and scan.
FIRST_AUTHENTICATOR_WINDOW_SECONDS = 15 * 60


def needs_second_factor(user):
    """Anyone who may enter the Wagtail admin: every staff role and superusers.

    `user` is None in allauth's stand-in login for a sign-up with a taken address.
    """
    return user is not None and user.is_authenticated and user.has_perm("wagtailadmin.access_admin")


def has_totp(user):
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def _methods(request):
    return [record.get("method") for record in get_authentication_records(request, request.user)]


def has_passed_second_factor(request):
    return request.user.is_authenticated and SECOND_FACTOR in _methods(request)


def has_proved_mailbox(request):
    """An e-mailed code was entered in this session (at login or reauthentication)."""
    return request.user.is_authenticated and MAILBOX_CODE in _methods(request)


def is_setting_up_first_authenticator(request):
    """No authenticator yet, and this session proved password and mailbox in the last minutes."""
    if request is None or not request.user.is_authenticated or has_totp(request.user):
        return False
    since = time.time() - FIRST_AUTHENTICATOR_WINDOW_SECONDS
    recent = {
        record.get("method")
        for record in get_authentication_records(request, request.user)
        if record.get("at", 0) >= since
    }
    return {PASSWORD_METHOD, MAILBOX_CODE} <= recent


@receiver(authenticator_added)
def record_totp_activation(sender, request, user, authenticator, **kwargs):
    """Binding TOTP means typing its current code: the session has passed the second factor.

    That code is as fresh a proof as allauth's own reauthentication (`reauthenticated`), so the
    recovery codes it shows next do not ask for the password either.
    """
    if request is not None and authenticator.type == Authenticator.Type.TOTP:
        record_authentication(
            request,
            user,
            SECOND_FACTOR,
            id=authenticator.pk,
            type=authenticator.type,
            activated=True,
            reauthenticated=True,
        )
        # allauth sends this once the transaction commits, which may be after the session was saved.
        request.session.save()
