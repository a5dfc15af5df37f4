"""The site's address and name come from the settings: the sitemap and the e-mails use them, never
the host a request came in on or Wagtail's first `localhost`; the sitemap lists only public pages."""

import re

from django.apps import apps
from django.core import mail
from django.db.models.signals import post_migrate

from wagtail.models import Site

import pytest

from cms.site_address import apply_site_address
from courses.models import ModulePage
from tests.accounts.factories import signup_data

pytestmark = pytest.mark.django_db

BASE_URL = "https://gbv.example.org"


@pytest.fixture
def configured(settings, home_page):
    settings.WAGTAILADMIN_BASE_URL = BASE_URL
    apply_site_address()


def sitemap_locations(client):
    return re.findall(r"<loc>([^<]+)</loc>", client.get("/sitemap.xml").content.decode())


def test_the_sitemap_uses_the_configured_address(client, configured, site_tree):
    locations = sitemap_locations(client)

    assert f"{BASE_URL}/" in locations
    assert f"{BASE_URL}{site_tree['article'].url}" in locations
    assert all(location.startswith(f"{BASE_URL}/") for location in locations), locations


def test_the_sitemap_lists_courses_but_no_module_that_needs_sign_in(client, configured, course):
    locations = sitemap_locations(client)

    assert f"{BASE_URL}{course['course'].url}" in locations
    assert ModulePage.objects.live().count() == 3
    for module in ModulePage.objects.live():
        assert f"{BASE_URL}{module.url}" not in locations
        # ... since each of them sends a visitor to the login page:
        assert client.get(module.url)["Location"].startswith("/accounts/login/")


def test_the_confirmation_mail_names_the_organisation_and_the_configured_host(client, configured, unit_tree):
    client.post("/accounts/signup/", signup_data(), HTTP_HOST="127.0.0.1:8000")

    body = mail.outbox[0].body
    assert "gbv.example.org" in body
    assert "Chương trình thử nghiệm" in body
    assert "127.0.0.1:8000" not in body.replace("http://127.0.0.1:8000/accounts/confirm-email/", "")


def test_after_migrate_the_default_site_takes_the_configured_host_port_and_a_name(settings, home_page):
    settings.WAGTAILADMIN_BASE_URL = "http://learn.example.org:8080/"
    Site.objects.update(site_name="")
    cms = apps.get_app_config("cms")

    post_migrate.send(sender=cms, app_config=cms, apps=apps, verbosity=0, interactive=False, using="default", plan=[])

    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port, site.site_name) == ("learn.example.org", 8080, "GBV Learn")
    assert site.root_url == "http://learn.example.org:8080"
