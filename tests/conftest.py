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


# A standby for the reports (ops.replica): a second connection to the test database, as Django's
# TEST MIRROR makes one. It sees only committed rows, and Django lets a test use only the aliases
# its class names, so a module reading through it is marked REPLICA_TESTS and the alias exists
# from the module's start (replica_alias) to its end.
REPLICA_TESTS = pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "replica"])


def point_replica_at(database):
    """Make `database` (a DATABASES entry) the standby ops.replica reads, as DATABASE_REPLICA_URL would."""
    from django.db import connections

    from ops.replica import REPLICA

    if REPLICA in connections.settings:
        connections[REPLICA].close()
        del connections[REPLICA]
    connections.settings[REPLICA] = {**database, "TEST": {**database["TEST"], "MIRROR": "default"}}


def unreachable_database():
    """A database that cannot be reached: an SQLite file in a directory that does not exist."""
    from django.db import connections

    database = {**connections["default"].settings_dict, "ENGINE": "django.db.backends.sqlite3", "OPTIONS": {}}
    return {**database, "NAME": "/nonexistent-gbv-standby/db.sqlite3"}


@pytest.fixture(scope="module")
def replica_alias(django_db_setup, django_db_blocker):
    from django.db import connections

    point_replica_at(connections["default"].settings_dict)
    yield
    with django_db_blocker.unblock():
        connections["replica"].close()
        del connections["replica"]
        del connections.settings["replica"]


@pytest.fixture
def replica(replica_alias, transactional_db):
    """The standby, up (a mirror of the test database), its state checked afresh."""
    from django.db import connections

    from ops.replica import replica_state

    point_replica_at(connections["default"].settings_dict)
    replica_state(fresh=True)
    return connections["replica"]


@pytest.fixture
def unreachable_replica(replica):
    """The standby, configured but unreachable, its state checked afresh."""
    from django.db import connections

    from ops.replica import replica_state

    point_replica_at(unreachable_database())
    replica_state(fresh=True)
    return connections["replica"]
