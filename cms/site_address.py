"""The site's address and name, from settings, on the default Wagtail Site.

WAGTAILADMIN_BASE_URL is the canonical address of the site (links in e-mails, PDFs, QR codes).
Wagtail builds every absolute page URL (the sitemap, `fullpageurl`, Open Graph) from the default
Site's hostname and port, which its first migration sets to localhost:80; e-mails name the site
from the same Site (accounts.adapters). One function sets them from the setting, run after every
`migrate` (CmsConfig.ready) and by `load_demo_data`, so development, the demo and production agree.
"""

from urllib.parse import urlsplit

from django.conf import settings


def configured_address():
    """(hostname, port) of WAGTAILADMIN_BASE_URL; the port is the scheme's when none is given."""
    parts = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    return parts.hostname or "localhost", parts.port or (443 if parts.scheme == "https" else 80)


def apply_site_address(site_model=None):
    """Set the default Site's hostname, port and (when empty) name from the settings."""
    if site_model is None:
        from wagtail.models import Site as site_model
    hostname, port = configured_address()
    sites = site_model.objects.filter(is_default_site=True)
    sites.update(hostname=hostname, port=port)
    sites.filter(site_name="").update(site_name=settings.WAGTAIL_SITE_NAME)


def apply_after_migrate(sender, apps, **kwargs):
    """post_migrate receiver: uses the migrated state of Wagtail's Site, skips a database without it."""
    try:
        site_model = apps.get_model("wagtailcore", "Site")
    except LookupError:
        return
    apply_site_address(site_model)
