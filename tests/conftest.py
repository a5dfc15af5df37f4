from wagtail.models import Page, Site
from wagtail.rich_text import RichText

import pytest

from cms.models import HomePage, SiteSettings, StandardPage
from tests.factories import OrganisationUnitFactory

QUICK_EXIT_URL = "https://neutral.example.com/weather"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth's rate limits count in the cache: each test starts from zero.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def home_page(db):
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Trang chủ thử nghiệm", slug="trang-chu"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
    )
    privacy = home.add_child(
        instance=StandardPage(
            title="Bảo vệ dữ liệu cá nhân", slug="bao-mat", body=[("paragraph", RichText("<p>Nội dung.</p>"))]
        )
    )
    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.organisation_name = "Chương trình thử nghiệm"
    settings.quick_exit_url = QUICK_EXIT_URL
    settings.privacy_page = privacy
    settings.save()
    return home


@pytest.fixture
def unit_tree(db):
    """City → department, and city → ward → two units; returned by code."""
    city = OrganisationUnitFactory(code="HN", name="Thành phố Hà Nội", type="city")
    department = OrganisationUnitFactory(code="HN-SYT", name="Sở Y tế", type="department", parent=city)
    ward = OrganisationUnitFactory(code="HN-P-HK", name="Phường Hoàn Kiếm", type="ward", parent=city)
    health = OrganisationUnitFactory(code="HN-P-HK-TYT", name="Trạm Y tế phường Hoàn Kiếm", parent=ward)
    police = OrganisationUnitFactory(code="HN-P-HK-CA", name="Công an phường Hoàn Kiếm", parent=ward)
    other_ward = OrganisationUnitFactory(code="HN-X-SS", name="Xã Sóc Sơn", type="commune", parent=city)
    return {unit.code: unit for unit in (city, department, ward, health, police, other_ward)}


@pytest.fixture
def staff_client(client, home_page):
    """A client signed in as a staff member of the given roles who has set up TOTP."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from tests.factories import UserFactory

    def sign_in(*roles, **user_fields):
        user = UserFactory(roles=list(roles), **user_fields)
        TOTP.activate(user, generate_totp_secret())
        client.force_login(user)
        client.user = user
        return client

    return sign_in
