from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """What keeps production running and observable: health, metrics, logs, the resilient cache, the task worker."""

    name = "ops"
    verbose_name = _("Operations")

    def ready(self):
        from ops import checks  # noqa: F401 - registers the system checks
        from ops.network import networks_from_setting

        networks_from_setting("METRICS_ALLOWED_NETWORKS")  # mistyped, it stops the start, not a scrape
