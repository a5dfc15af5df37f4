import pytest

from tests.accounts.factories import OrganisationUnitFactory
from tests.cms.factories import make_home_page, make_site_tree
from tests.courses.factories import make_course

QUICK_EXIT_URL = "https://neutral.example.com/weather"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth's rate limits count in the cache: each test starts from zero.
    from django.conf import settings
    from django.core.cache import caches

    for alias in settings.CACHES:
        caches[alias].clear()
    yield
    for alias in settings.CACHES:
        caches[alias].clear()


@pytest.fixture
def home_page(db):
    return make_home_page(quick_exit_url=QUICK_EXIT_URL)


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


def sign_in_past_second_factor(client, user):
    """Sign `user` in as allauth's login with a TOTP code would: a password, then the code.

    Binds a TOTP authenticator if the user has none, and writes allauth's authentication records
    for the session (accounts.mfa.has_passed_second_factor reads them). Every test that signs
    staff in without going through the login pages uses this.
    """
    from django.test import RequestFactory

    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        authenticator = TOTP.activate(user, generate_totp_secret()).instance
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session, request.user = client.session, user
    record_authentication(request, user, "password", email=user.email)
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
    request.session.save()
    return client


@pytest.fixture
def staff_client(client, home_page):
    """A client signed in as a staff member of the given roles, past the TOTP step."""
    from tests.accounts.factories import UserFactory

    def sign_in(*roles, **user_fields):
        user = UserFactory(roles=list(roles), **user_fields)
        sign_in_past_second_factor(client, user)
        client.user = user
        return client

    return sign_in


@pytest.fixture
def site_tree(home_page, unit_tree):
    """One page of every public type, with an image and a document, all live."""
    return make_site_tree(home_page, unit_tree["HN-P-HK"])


@pytest.fixture
def course(home_page):
    """An ordered course of three modules: a lesson, a single-choice quiz, a two-question quiz."""
    return make_course(home_page)
