"""Per-address rate limits behind a proxy: the client's address comes from X-Forwarded-For only when
our own proxy (settings.TRUSTED_PROXIES) sent the request; a bad header never gives a 500."""

from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
from django.urls import reverse

import pytest
from allauth.core.internal.ratelimit import get_ip

from accounts.client_ip import client_ip, trusted_proxy_networks
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory

PROXY = "10.0.0.2"
ATTACKER = "198.51.100.66"
OFFICIAL = "198.51.100.7"
TOO_MANY = "Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau."

MALFORMED_HEADERS = [
    "",
    ",",
    " , ,",
    "unknown",
    "198.51.100.7, garbage",
    "garbage, " + PROXY,
    "999.1.1.1",
    "1.2.3.4\x00",
    "1.2.3.4\u200b",
    "ą,ł,ż",
    "1.2.3.4, " * 5000,
    "x" * 10000,
]


def request_from(peer, forwarded=None):
    headers = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/29"]
    return settings


def test_nobody_is_trusted_by_default(settings):
    assert settings.TRUSTED_PROXIES == []
    assert client_ip(request_from("127.0.0.1", OFFICIAL)) == "127.0.0.1"


def test_a_spoofed_header_from_a_peer_that_is_not_our_proxy_is_ignored(behind_proxy):
    assert client_ip(request_from(ATTACKER, OFFICIAL)) == ATTACKER
    assert client_ip(request_from("10.0.0.9", OFFICIAL)) == "10.0.0.9"  # just outside the /29


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        (OFFICIAL, OFFICIAL),
        (f"{OFFICIAL}, 127.0.0.1", OFFICIAL),  # load balancer, then nginx: both ours
        (f"{ATTACKER}, {OFFICIAL}", OFFICIAL),  # what the client wrote itself comes first: not believed
        ("::ffff:198.51.100.7", OFFICIAL),  # one client on a dual-stack socket, one key
        ("2001:db8::7", "2001:db8::7"),
        ("198.51.100.7:4711", OFFICIAL),  # some load balancers add the port
        ("[2001:db8::7]:443", "2001:db8::7"),
        (f"{PROXY}, 10.0.0.3", PROXY),  # every address ours: the peer itself
    ],
)
def test_from_our_proxy_the_right_most_address_not_ours_is_the_client(behind_proxy, forwarded, client):
    assert client_ip(request_from(PROXY, forwarded)) == client


@pytest.mark.parametrize("forwarded", MALFORMED_HEADERS)
def test_an_unreadable_header_falls_back_to_the_peer(behind_proxy, forwarded):
    # Nothing left of an unreadable entry can be trusted: the peer is all we know.
    assert client_ip(request_from(PROXY, forwarded)) == PROXY


def test_allauths_proxy_count_decides_nothing(behind_proxy, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 3  # allauth would take a spoofed entry, or fail on a short header

    assert client_ip(request_from(ATTACKER, "1.1.1.1, 2.2.2.2, 3.3.3.3")) == ATTACKER
    assert client_ip(request_from(PROXY, OFFICIAL)) == OFFICIAL


def test_a_mistyped_proxy_setting_is_a_configuration_error_not_trust(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/33"]

    with pytest.raises(ImproperlyConfigured):
        trusted_proxy_networks()


def test_allauths_rate_limits_use_our_address(behind_proxy):
    """The verify page's consume_or_429, sign-up, login and password reset all key on get_ip."""
    assert get_ip(request_from(PROXY, OFFICIAL)) == OFFICIAL
    assert get_ip(request_from(ATTACKER, OFFICIAL)) == ATTACKER


def fail_logins(client, times, **headers):
    for n in range(times):
        response = client.post(
            reverse("account_login"), {"login": f"doan{n}@example.org", "password": "sai-mat-khau"}, **headers
        )
    return response


def log_in(client, user, **headers):
    client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}, **headers)
    return client.get("/").context["user"].is_authenticated


@pytest.mark.django_db
def test_one_attackers_failed_logins_behind_the_proxy_do_not_lock_out_another_client(behind_proxy, home_page):
    behind_proxy.ACCOUNT_RATE_LIMITS = {**behind_proxy.ACCOUNT_RATE_LIMITS, "login_failed": "4/5m/ip,5/5m/key"}
    official = UserFactory()

    locked = fail_logins(Client(), 5, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)

    assert TOO_MANY in locked.content.decode()
    assert log_in(Client(), official, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OFFICIAL)


@pytest.mark.django_db
def test_an_attacker_who_writes_a_new_header_each_time_is_still_one_address(behind_proxy, home_page):
    behind_proxy.ACCOUNT_RATE_LIMITS = {**behind_proxy.ACCOUNT_RATE_LIMITS, "login_failed": "4/5m/ip,5/5m/key"}
    client = Client()
    for n in range(4):
        fail_logins(client, 1, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    response = fail_logins(client, 1, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="203.0.113.200")

    assert TOO_MANY in response.content.decode()


@pytest.mark.django_db
def test_a_training_room_of_forty_behind_one_address_all_sign_in_even_after_two_typos_each(home_page):
    """Per-address limits as configured: 40 officials on one NAT address, each mistyping twice."""
    officials = [UserFactory() for _ in range(40)]
    room = {"REMOTE_ADDR": "203.0.113.40"}

    for official in officials * 2:
        Client().post(reverse("account_login"), {"login": official.email, "password": "go-nham"}, **room)

    assert all(log_in(Client(), official, **room) for official in officials)


@pytest.mark.django_db
def test_each_account_still_gets_only_five_tries(home_page):
    official = UserFactory()
    client = Client()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": official.email, "password": "sai-mat-khau"})

    assert not log_in(client, official)


@pytest.mark.django_db
def test_the_verify_page_counts_per_client_behind_the_proxy(behind_proxy, home_page):
    behind_proxy.CERTIFICATE_VERIFY_RATE_LIMIT = "2/m/ip"
    url = "/verify/0000000000000000/"

    attacker = [Client().get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER).status_code for _ in range(3)]
    official = Client().get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OFFICIAL).status_code

    assert attacker == [404, 404, 429] and official == 404


@pytest.mark.django_db
@pytest.mark.parametrize("forwarded", MALFORMED_HEADERS)
def test_bad_headers_never_give_a_server_error(behind_proxy, home_page, unit_tree, forwarded):
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    responses = [
        client.post(reverse("account_login"), {"login": "ai@example.org", "password": "sai-mat-khau"}),
        client.post(reverse("account_reset_password"), {"email": "ai@example.org"}),
        client.post("/accounts/signup/", {"email": "moi@example.org"}),
        client.get("/verify/0000000000000000/"),
        client.get("/verify/", {"code": "abc"}),
    ]

    assert [response.status_code for response in responses] == [200, 302, 200, 404, 404]
