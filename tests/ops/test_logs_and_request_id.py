"""Logs are one JSON object per line with the request's id; the id comes back in X-Request-ID and
is nginx's only when well-formed and sent by one of our proxies (issue 14 item 5)."""

import json
import logging.config
import re

import pytest

from cms.models import HomePage
from ops.logs import logging_config

pytestmark = pytest.mark.django_db

NGINX_ID = "0123456789abcdef0123456789abcdef"
FRESH_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_logs(capsys, settings):
    """Production's logging, to the captured stdout (configured once the test runs: stdout is only
    captured then); the test settings' logging again afterwards."""

    class Logs:
        def start(self):
            logging.config.dictConfig(logging_config(json_lines=True, level="INFO"))
            capsys.readouterr()

        def lines(self):
            return capsys.readouterr().out.splitlines()

    yield Logs()
    logging.config.dictConfig(settings.LOGGING)


def test_a_line_logged_during_a_request_is_json_with_the_id_the_response_returns(client, home_page, json_logs):
    json_logs.start()
    response = client.get("/khong-co-trang-nay/")

    assert response.status_code == 404
    request_id = response["X-Request-ID"]
    assert FRESH_ID.fullmatch(request_id)
    entries = [json.loads(line) for line in json_logs.lines()]  # every line is one JSON object
    not_found = next(entry for entry in entries if entry["logger"] == "django.request")
    assert set(not_found) == {"time", "level", "logger", "message", "request_id"}
    assert not_found["level"] == "WARNING"
    assert not_found["message"] == "Not Found: /khong-co-trang-nay/"
    assert not_found["request_id"] == request_id
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", not_found["time"])


def test_an_exception_is_logged_on_one_line_with_its_traceback(client, home_page, json_logs, monkeypatch):
    def fail(self, request, *args, **kwargs):
        raise RuntimeError("the page broke\nwith a second line")

    monkeypatch.setattr(HomePage, "serve", fail)
    client.raise_request_exception = False
    json_logs.start()

    response = client.get("/")

    assert response.status_code == 500
    lines = json_logs.lines()
    entry = next(json.loads(line) for line in lines if '"django.request"' in line)
    assert entry["level"] == "ERROR" and entry["request_id"] == response["X-Request-ID"]
    assert entry["traceback"].startswith("Traceback (most recent call last):")
    assert entry["traceback"].endswith("RuntimeError: the page broke\nwith a second line")
    assert not any(line.startswith("with a second line") for line in lines)


def test_outside_a_request_the_id_is_null(json_logs):
    json_logs.start()
    logging.getLogger("ops.test").warning("From a command.")

    entry = json.loads(json_logs.lines()[-1])
    assert entry == entry | {"logger": "ops.test", "message": "From a command.", "request_id": None}


def test_development_lines_are_readable_and_carry_the_id(client, home_page, capsys, settings):
    logging.config.dictConfig(logging_config(json_lines=False, level="INFO"))
    try:
        response = client.get("/khong-co-trang-nay/")
        line = next(line for line in capsys.readouterr().err.splitlines() if "Not Found" in line)
    finally:
        logging.config.dictConfig(settings.LOGGING)

    assert re.fullmatch(
        rf"\S+ \S+ WARNING django\.request \[{response['X-Request-ID']}\] Not Found: /khong-co-trang-nay/", line
    )


# ---------------------------------------------------------------------------------------------
# Where the id comes from


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.1.0/28"]


def get(client, request_id, peer):
    return client.get("/khong-co-trang-nay/", HTTP_X_REQUEST_ID=request_id, REMOTE_ADDR=peer)


def test_nginxs_id_is_kept_when_our_proxy_sends_it(client, home_page, behind_proxy):
    assert get(client, NGINX_ID, "10.0.1.2")["X-Request-ID"] == NGINX_ID


@pytest.mark.parametrize(
    "sent",
    [
        "abc",
        NGINX_ID.upper(),
        NGINX_ID + "0",
        NGINX_ID[:-1],
        "0123456789abcdef-0123456789abcde",
        "12345678-1234-5678-1234-567812345678",
        NGINX_ID[:-1] + "\n",
        NGINX_ID + '\n{"level": "ERROR", "message": "forged"}',
        "",
    ],
)
def test_a_malformed_id_is_replaced_by_a_fresh_one(client, home_page, behind_proxy, sent):
    returned = get(client, sent, "10.0.1.2")["X-Request-ID"]

    assert FRESH_ID.fullmatch(returned) and returned != sent


@pytest.mark.parametrize("peer", ["203.0.113.9", "10.0.1.99", "127.0.0.1"])
def test_an_id_from_anyone_but_our_proxy_is_ignored(client, home_page, behind_proxy, peer):
    returned = get(client, NGINX_ID, peer)["X-Request-ID"]

    assert FRESH_ID.fullmatch(returned) and returned != NGINX_ID


def test_with_no_trusted_proxy_no_id_is_believed(client, home_page):
    returned = get(client, NGINX_ID, "127.0.0.1")["X-Request-ID"]

    assert returned != NGINX_ID


def test_each_request_gets_its_own_id(client, home_page):
    ids = {client.get("/")["X-Request-ID"] for _ in range(3)}

    assert len(ids) == 3
