from django.conf import settings
from django.utils import timezone

from allauth.account.adapter import DefaultAccountAdapter


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
