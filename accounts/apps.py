from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")
    default = True

    def ready(self):
        from accounts import mfa  # noqa: F401 - connects the receiver that records a TOTP activation
        from accounts.client_ip import trusted_proxy_networks

        trusted_proxy_networks()  # a mistyped TRUSTED_PROXIES stops the start, not a request


class CustomUsersAppConfig(WagtailUsersAppConfig):
    user_viewset = "accounts.viewsets.UserViewSet"
