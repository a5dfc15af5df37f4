"""Errors go to Sentry with nothing personal (issue 14 item 5).

A real HTTP server on loopback plays Sentry's ingest endpoint: the SDK sends its envelopes there
as it would to sentry.io, and the test reads the bytes that would have left the server.
"""

import gzip
import json
import logging
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

import pytest
import sentry_sdk

from courses import services
from ops.sentry import init_sentry, scrub_event
from tests.accounts.factories import UserFactory
from tests.courses.factories import CoursePageFactory, QuizModuleFactory, stored_question

pytestmark = pytest.mark.django_db

# Our loopback ports; the first free one, so that the suite can run on SQLite and PostgreSQL at once.
INGEST_PORTS = range(9911, 9915)
EMAIL = "lan.phuong.tran@example.org"
FULL_NAME = "Trần Lan Phương"
ANSWER_TEXT = "Tôi sẽ gọi đường dây nóng 111 ngay lập tức"


class Ingest(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.server.received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format, *args):
        pass


def first_free(ports):
    for port in ports:
        try:
            return ThreadingHTTPServer(("127.0.0.1", port), Ingest)
        except OSError:
            continue
    raise RuntimeError(f"No free port in {ports}")


@pytest.fixture
def ingest():
    server = first_free(INGEST_PORTS)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def sentry(ingest):
    started = init_sentry(
        {
            "SENTRY_DSN": f"http://publickey@127.0.0.1:{ingest.server_port}/1",
            "SENTRY_ENVIRONMENT": "test",
            "SENTRY_RELEASE": "gbv-learn@test",
        }
    )
    assert started and not sentry_sdk.get_client().should_send_default_pii()
    yield ingest
    client = sentry_sdk.get_client()
    client.close(timeout=2)
    sentry_sdk.get_global_scope().set_client(None)


def post_through_wsgi(path, data, cookies):
    """POST as gunicorn would: through Django's WSGI handler, which the SDK wraps in production
    (the test client skips that layer). The test's database transaction stays open."""
    environ = RequestFactory().post(path, data).environ
    environ["HTTP_COOKIE"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=int(status.split()[0]), headers=dict(headers))

    # As the test client does: the test's transaction holds the connection, which would be closed.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        chunks = WSGIHandler()(environ, start_response)
        answer["body"] = b"".join(chunks)
        chunks.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer


def envelope_items(body):
    """The JSON documents of an envelope: its header, then each item's header and payload."""
    return [json.loads(line) for line in body.split(b"\n") if line.strip()]


@pytest.fixture
def quiz(home_page, course):
    module_course = CoursePageFactory(parent=course["catalogue"], modules_in_order=False, pass_mark=100)
    module = QuizModuleFactory(
        parent=module_course,
        questions=[stored_question("Bạn sẽ làm gì?", [(ANSWER_TEXT, True), ("Im lặng", False)])],
    )
    return module_course, module


def test_an_error_reaches_sentry_with_the_request_id_and_nothing_personal(client, sentry, quiz, monkeypatch):
    course, module = quiz
    learner = UserFactory(email=EMAIL, full_name=FULL_NAME, unit=None)
    services.enrol(learner, course)
    client.force_login(learner)  # only to make the session whose cookie the request sends
    question = list(module.quiz)[0]
    choice_id = next(choice.id for choice in question.value["choices"].bound_blocks if choice.value["correct"])
    session_cookie = client.cookies["sessionid"].value

    def grading_fails(module, answers, pass_mark):
        # What careless code might do: log the person and the answer, then fail.
        logging.getLogger("courses.services").warning("Grading %s for %s (%s)", ANSWER_TEXT, EMAIL, FULL_NAME)
        logging.getLogger("courses.services").error("Grading failed for %s, %s", EMAIL, FULL_NAME)
        raise RuntimeError(f"grading failed for {EMAIL}")

    monkeypatch.setattr(services, "grade", grading_fails)
    csrf_secret = "a" * 32

    response = post_through_wsgi(
        f"{module.url}?email={EMAIL}&name={FULL_NAME}",
        {
            "csrfmiddlewaretoken": csrf_secret,
            "token": str(uuid.uuid4()),
            f"q-{question.id}": [choice_id],
            "note": f"{FULL_NAME} {EMAIL}",
        },
        {"sessionid": session_cookie, "csrftoken": csrf_secret},
    )
    sentry_sdk.flush(timeout=5)
    deadline = time.monotonic() + 5
    while len(sentry.received) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)

    assert response["status"] == 500
    request_id = response["headers"]["X-Request-ID"]
    assert {path for path, _ in sentry.received} == {"/api/1/envelope/"}
    events = [item for _, body in sentry.received for item in envelope_items(body) if "event_id" in item]
    exception = next(event for event in events if "exception" in event)
    assert exception["tags"]["request_id"] == request_id
    assert exception["exception"]["values"][-1]["type"] == "RuntimeError"
    assert exception["exception"]["values"][-1]["value"] == "grading failed for [email]"
    assert exception["request"] == {"method": "POST", "url": f"http://testserver{module.url}"}
    assert exception["environment"] == "test" and exception["release"] == "gbv-learn@test"
    assert "user" not in exception
    logged = next(event for event in events if event.get("logentry"))
    assert logged["logentry"] == {"message": "Grading failed for %s, %s"}
    assert logged["tags"]["request_id"] == request_id
    everything = b"".join(body for _, body in sentry.received)
    for personal in (EMAIL, FULL_NAME, ANSWER_TEXT, choice_id, session_cookie, learner.password):
        for form in {personal, json.dumps(personal)[1:-1]}:  # as is, and as JSON escapes it
            assert form.encode() not in everything, personal
    assert b"Tr%E1%BA%A7n" not in everything and b"lan.phuong.tran" not in everything


def test_without_a_dsn_sentry_is_not_started(monkeypatch):
    monkeypatch.delenv("SENTRY_DSN", raising=False)

    assert init_sentry() is False
    assert init_sentry({"SENTRY_DSN": "  "}) is False
    assert not sentry_sdk.get_client().is_active()


def test_a_transaction_and_its_breadcrumbs_are_scrubbed_like_an_error():
    """before_send_transaction and before_breadcrumb: what a traced request would carry."""
    transaction = {
        "type": "transaction",
        "transaction": "/courses/<path>/",
        "request": {
            "method": "GET",
            "url": "https://gbv.example.org/search/",
            "query_string": f"q={EMAIL}",
            "cookies": {"sessionid": "secret-session"},
            "headers": {"Cookie": "sessionid=secret-session", "User-Agent": "x"},
            "data": {"answer": ANSWER_TEXT},
            "env": {"REMOTE_ADDR": "203.0.113.9"},
        },
        "user": {"id": 42, "email": EMAIL, "username": FULL_NAME, "ip_address": "203.0.113.9"},
        "extra": {"learner": FULL_NAME},
        "contexts": {"trace": {"op": "http.server"}, "response": {"status_code": 200}},
        "breadcrumbs": {
            "values": [
                {"category": "query", "message": "SELECT * FROM accounts_user WHERE email = %s", "data": {"p": EMAIL}},
                {"category": "courses", "message": f"{FULL_NAME} answered", "data": {"answer": ANSWER_TEXT}},
            ]
        },
        "spans": [
            {
                "op": "db",
                "description": "SELECT 1 WHERE email = %s",
                "data": {"db.params": [EMAIL], "db.system": "sqlite"},
            },
            {"op": "http.client", "description": f"GET https://api.example.org/find?name={FULL_NAME}", "data": {}},
        ],
    }

    scrubbed = scrub_event(transaction)

    text = json.dumps(scrubbed, ensure_ascii=False)
    for personal in (EMAIL, FULL_NAME, ANSWER_TEXT, "secret-session", "203.0.113.9"):
        assert personal not in text
    assert scrubbed["request"] == {"method": "GET", "url": "https://gbv.example.org/search/"}
    assert scrubbed["user"] == {"id": "42"}
    assert scrubbed["breadcrumbs"]["values"][0]["message"] == "SELECT * FROM accounts_user WHERE email = %s"
    assert scrubbed["spans"][0]["data"] == {"db.system": "sqlite"}
    assert scrubbed["spans"][1]["description"] == "GET https://api.example.org/find"


def test_a_database_errors_detail_is_dropped():
    event = {
        "exception": {
            "values": [
                {
                    "type": "IntegrityError",
                    "value": 'duplicate key value violates unique constraint "accounts_user_email_key"\n'
                    f"DETAIL:  Key (full_name)=({FULL_NAME}) already exists.",
                }
            ]
        }
    }

    value = scrub_event(event)["exception"]["values"][0]["value"]

    assert value == 'duplicate key value violates unique constraint "accounts_user_email_key"'
