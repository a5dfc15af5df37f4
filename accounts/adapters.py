from types import SimpleNamespace
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from wagtail.models import Site

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.account.utils import get_next_redirect_url
from allauth.core import context as allauth_context

from accounts.client_ip import client_ip
from accounts.mfa import MAILBOX_CODE, has_totp, is_setting_up_first_authenticator, needs_second_factor
from accounts.safe_next import safe_next


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Store the profile and the consent given at sign-up together with the account."""
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        user.full_name = data["full_name"]
        user.unit = data.get("unit")
        user.position = data.get("position", "")
        user.staff_category = data["staff_category"]
        user.consent_given_at = timezone.now()
        user.consent_notice_version = settings.PRIVACY_NOTICE_VERSION
        if commit:
            user.save()
        return user

    def is_login_by_code_required(self, login):
        """Staff without an authenticator prove their mailbox with an e-mailed code at login.

        Only then may they bind their first authenticator (accounts.middleware): a stolen
        password alone must not be enough to set one up.
        """
        if super().is_login_by_code_required(login):
            return True
        records = get_authentication_records(self.request, login.user)
        if records and records[-1]["method"] == MAILBOX_CODE:
            return False  # this login is the code itself
        return needs_second_factor(login.user) and not has_totp(login.user)

    def is_reauthentication_required(self, *, app, **kwargs):
        """Not again for the first authenticator of a sign-in that has just proved password and mailbox.

        allauth asks for the password before any MFA change; right after the login that asked for
        it (and for the e-mailed code) that is the same question twice. Later changes still ask.
        """
        if app == "allauth.mfa" and is_setting_up_first_authenticator(self.request):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def get_login_redirect_url(self, request):
        """Staff go to the admin they signed in for; an explicit `next` still wins (allauth asks it first)."""
        if needs_second_factor(request.user):
            return reverse("wagtailadmin_home")
        return super().get_login_redirect_url(request)

    def is_safe_url(self, url):
        """Every `next` allauth follows or passes on stays on this site (accounts.safe_next)."""
        return safe_next(self.request, url) is not None

    def get_email_confirmation_url(self, request, emailconfirmation):
        """The link keeps where the learner was going, through the login page.

        Confirmed in the browser that signed up, allauth signs the learner in and sends them to
        that `next` itself; confirmed elsewhere, the learner signs in and then goes on there.
        """
        url = super().get_email_confirmation_url(request, emailconfirmation)
        next_url = get_next_redirect_url(request) if request is not None else None
        if next_url:
            login_then_next = f"{reverse('account_login')}?{urlencode({'next': next_url})}"
            url = f"{url}?{urlencode({'next': login_then_next})}"
        return url

    def get_client_ip(self, request):
        """X-Forwarded-For only from our own proxies (settings.TRUSTED_PROXIES), never a 500."""
        return client_ip(request)

    def send_mail(self, template_prefix, email, context):
        # allauth signs its mail with the host name; ours carries the organisation's name.
        super().send_mail(template_prefix, email, {"current_site": self.sender(allauth_context.request), **context})

    def format_email_subject(self, subject):
        return super().format_email_subject(subject).strip()

    @staticmethod
    def sender(request):
        """The organisation as the mail names it, from the site settings (cms, named by string), and
        the site's configured address (cms.site_address), not whatever host the request came in on."""
        site = Site.find_for_request(request) if request else Site.objects.filter(is_default_site=True).first()
        name = settings.WAGTAIL_SITE_NAME
        domain = urlsplit(settings.WAGTAILADMIN_BASE_URL).netloc
        if site is not None:
            name = apps.get_model("cms", "SiteSettings").for_site(site).organisation_name or name
            domain = urlsplit(site.root_url).netloc
        return SimpleNamespace(name=name, domain=domain)
