"""Real concurrent requests: the project's server in a subprocess, learners and managers as HTTP clients.

`serving()` starts the WSGI application on Django's threaded server (the one `make run` uses), in a
subprocess of its own whose database is the test's: on PostgreSQL the test database itself; on
SQLite a file copied from the in-memory test database, since threads need a file to be separate
connections (the way `make run` uses SQLite). The subprocess reads the settings afresh, so it runs
with exactly the SQLite options of config/settings/base.py. When it stops, the file is copied back, so
the test checks what the requests wrote with the ORM on either database.

The server itself is tests/threaded_server.py.
"""

import contextlib
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from functools import partial
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.urls import reverse

import requests
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection

from accounts.models import User
from audit.models import ExportLog
from certificates.models import Certificate
from courses import services
from courses.models import Completion, Enrolment, QuizAttempt
from reports.rows import CHUNK
from tests.accounts.factories import DEFAULT_PASSWORD, ManagerScopeFactory, UserFactory
from tests.threaded_server import SLOW_LINK_BUFFER

# Seconds: room for a slow, shared test machine, and above SQLite's busy timeout (20), so a request
# stuck on a lock comes back as the 500 a user would see.
REQUEST_TIMEOUT = 30


def database_url(path=None):
    if path is not None:
        return f"sqlite:///{path}"
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextlib.contextmanager
def serving(tmp_path):
    """The site's base URL, served by another process on the test database, while in the block."""
    if connection.vendor == "sqlite":
        path = tmp_path / "db.sqlite3"
        connection.ensure_connection()
        with contextlib.closing(sqlite3.connect(path)) as copy:
            connection.connection.backup(copy)
        url = database_url(path)
    else:
        path, url = None, database_url()
    log = tmp_path / "server.log"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
        "TMPDIR": str(tmp_path),  # the test settings' media folders go with the test's files
    }
    with open(log, "w") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "tests.threaded_server"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
        )
    try:
        port = server.stdout.readline().strip()
        if not port.isdigit():
            raise RuntimeError(f"the test server did not start:\n{log.read_text()}")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stdout.close()
    if path is not None:
        # What the requests wrote, back into the test database for the test's checks. A killed
        # server leaves its write-ahead log; opening the file reads it in.
        with contextlib.closing(sqlite3.connect(path)) as written:
            written.backup(connection.connection)


def server_errors(tmp_path):
    """What the server logged besides its access log (the traceback of a 500): for a failure message."""
    lines = (tmp_path / "server.log").read_text().splitlines()
    return "\n".join(line for line in lines if not line.startswith("[")).strip()[-6000:]


def failure(responses, tmp_path):
    """The statuses (or the client's exception: a server that crashed closes connections) and the server's log."""
    return f"{statuses(responses)}\n{server_errors(tmp_path)}"


def hidden_value(html, field):
    return re.search(rf'name="{field}" value="([^"]+)"', html)[1]


class SlowLink(HTTPAdapter):
    """A connection with a small receive buffer: the server can send little ahead of the reader."""

    def init_poolmanager(self, *args, **kwargs):
        kwargs["socket_options"] = [
            *HTTPConnection.default_socket_options,
            (socket.SOL_SOCKET, socket.SO_RCVBUF, SLOW_LINK_BUFFER),
        ]
        super().init_poolmanager(*args, **kwargs)


class Visitor:
    """Someone using the site in a browser: their session cookie, their forms, their clicks."""

    def __init__(self, base_url, slow_link=False):
        self.base_url = base_url
        self.session = requests.Session()
        if slow_link:
            self.session.mount("http://", SlowLink())

    def get(self, path, **kwargs):
        return self.session.get(self.base_url + path, timeout=REQUEST_TIMEOUT, allow_redirects=False, **kwargs)

    def page(self, path):
        page = self.get(path)
        assert page.status_code == 200, (path, page.status_code)
        return page.text

    def post(self, path, data):
        return self.session.post(self.base_url + path, data=data, timeout=REQUEST_TIMEOUT, allow_redirects=False)

    def fill_in(self, path, data):
        """The form on the page at `path` sent with `data`, as the browser sends it."""
        return self.post(path, {"csrfmiddlewaretoken": hidden_value(self.page(path), "csrfmiddlewaretoken"), **data})

    def sign_in(self, user, totp_secret=None):
        response = self.fill_in(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})
        if totp_secret is not None:
            assert response.headers["Location"] == reverse("mfa_authenticate")
            code = format_hotp_value(hotp_value(totp_secret, int(time.time()) // 30))
            response = self.fill_in(reverse("mfa_authenticate"), {"code": code})
        assert response.status_code == 302, response.text
        return self

    def another_tab(self):
        """A second connection of the same browser: the same session cookie."""
        tab = Visitor(self.base_url)
        tab.session.cookies.update(self.session.cookies)
        return tab


def at_once(*requests_to_send):
    """Send the requests (callables) from threads released together; their responses, in order.

    A request that fails in the client (a timeout, say) gives its exception in its place."""
    barrier, results = threading.Barrier(len(requests_to_send)), [None] * len(requests_to_send)

    def send(index, request):
        barrier.wait()
        try:
            results[index] = request()
        except requests.RequestException as error:
            results[index] = error

    threads = [threading.Thread(target=send, args=item) for item in enumerate(requests_to_send)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def statuses(responses):
    return [getattr(response, "status_code", response) for response in responses]


# The three moments of issue 12 that a busy site must hold, each with what the data must be after.
# Every test module that runs them marks itself django_db(transaction=True): the server sees only
# what the test committed.


def learners_before_the_final_quiz(course, count, **fields):
    """Learners who have done every module of the `course` fixture but its last quiz."""
    learners = [UserFactory(**fields) for _ in range(count)]
    course_page, first_quiz = course["course"], course["quiz_one"].specific
    for learner in learners:
        services.enrol(learner, course_page)
        services.mark_module_done(learner, course["lesson"].specific, course_page)
        services.submit_quiz(learner, first_quiz, course_page, services.correct_answers(first_quiz), uuid.uuid4())
    return learners


def final_quiz_answered(visitor, course):
    """The final quiz as the learner's browser holds it, answered right: its path and what it sends."""
    last = course["quiz_two"].specific
    page = visitor.page(last.url)
    answers = {f"q-{question}": sorted(choices) for question, choices in services.correct_answers(last).items()}
    fields = {field: hidden_value(page, field) for field in ("csrfmiddlewaretoken", "token")}
    return last.url, {**fields, **answers}


def enrol_clicked_twice_at_once(tmp_path, course, learner_count=8):
    """Learners each click "Enrol" twice at the same moment: each is enrolled once, both clicks
    answered. Eight of them, so that some of the requests' short transactions overlap on every run."""
    learners = [UserFactory() for _ in range(learner_count)]
    course_page = course["course"]
    with serving(tmp_path) as site:
        clicks = []
        for learner in learners:
            browser = Visitor(site).sign_in(learner)
            page = browser.page(course_page.url)
            enrol_path = re.search(r'<form method="post" action="([^"]+/enrol/)"', page)[1]
            form = {"csrfmiddlewaretoken": hidden_value(page, "csrfmiddlewaretoken")}
            clicks += [partial(tab.post, enrol_path, form) for tab in (browser, browser.another_tab())]
        responses = at_once(*clicks)

    assert statuses(responses) == [302] * len(clicks), failure(responses, tmp_path)
    assert all(response.headers["Location"] == course_page.url for response in responses)
    for learner in learners:
        assert Enrolment.objects.filter(user=learner, course=course_page).count() == 1


def final_quiz_sent_twice_at_once(tmp_path, course, learner_count=3):
    """Several learners each send their final quiz twice at the same moment (a double click): one
    attempt, one completion and one certificate each, serial numbers without a gap."""
    learners = learners_before_the_final_quiz(course, learner_count)
    with serving(tmp_path) as site:
        sends = []
        for learner in learners:
            browser = Visitor(site).sign_in(learner)
            path, form = final_quiz_answered(browser, course)
            sends += [partial(tab.post, path, form) for tab in (browser, browser.another_tab())]
        responses = at_once(*sends)

    assert statuses(responses) == [200] * len(sends), failure(responses, tmp_path)
    for learner in learners:
        assert QuizAttempt.objects.filter(enrolment__user=learner, module=course["quiz_two"]).count() == 1
        assert Completion.objects.filter(user=learner).count() == 1
        assert Certificate.objects.filter(user=learner).count() == 1
    assert sorted(Certificate.objects.values_list("number", flat=True)) == list(range(1, learner_count + 1))


def export_while_learners_submit(tmp_path, course, unit_tree, learner_count=3):
    """A city manager downloads the completion records, slowly, while learners send their final
    quizzes and another manager exports the XLSX: every request answered, each learner one completion
    and one certificate, and the CSV whole.

    The CSV has more rows than reports.rows reads in one chunk and far more bytes than the slow link
    buffers, so the server is inside its read of the records (the cursor open) while the learners'
    answers are written: SQLite without WAL would keep them waiting until the download ends."""
    ward = unit_tree["HN-P-HK"]
    crowd = User.objects.bulk_create(
        User(email=f"hoc.vien.{index}@example.org", full_name=f"Học viên {index}", unit=ward)
        for index in range(CHUNK + 100)
    )
    Enrolment.objects.bulk_create(Enrolment(user=learner, course=course["course"]) for learner in crowd)
    learners = learners_before_the_final_quiz(course, learner_count, unit=ward)
    managers = []
    for _ in range(2):
        manager = UserFactory(roles=["Managers"])
        ManagerScopeFactory(user=manager, unit=unit_tree["HN"])
        secret = generate_totp_secret()
        TOTP.activate(manager, secret)
        managers.append((manager, secret))
    report = "/admin/reports/completion-records/"

    with serving(tmp_path) as site:
        downloader = Visitor(site, slow_link=True).sign_in(*managers[0])
        other_manager = Visitor(site).sign_in(*managers[1])
        sends = []
        for learner in learners:
            browser = Visitor(site).sign_in(learner)
            sends.append(partial(browser.post, *final_quiz_answered(browser, course)))
        download = downloader.session.get(
            site + report, params={"export": "csv"}, stream=True, timeout=REQUEST_TIMEOUT, allow_redirects=False
        )
        assert download.status_code == 200, server_errors(tmp_path)
        first_bytes = download.raw.read(1024)
        responses = at_once(*sends, partial(other_manager.get, report, params={"export": "xlsx"}))
        content = first_bytes + download.raw.read()

    assert statuses(responses) == [200] * (learner_count + 1), failure(responses, tmp_path)
    rows = content.decode("utf-8-sig").splitlines()
    assert len(rows) == 1 + len(crowd) + learner_count
    assert len(content) > 20 * SLOW_LINK_BUFFER  # far more than the link holds: the download overlapped
    for learner in learners:
        assert Completion.objects.filter(user=learner).count() == 1
        assert Certificate.objects.filter(user=learner).count() == 1
    assert sorted(Certificate.objects.values_list("number", flat=True)) == list(range(1, learner_count + 1))
    assert list(ExportLog.objects.order_by("export_format").values_list("export_format", "row_count")) == [
        ("csv", len(crowd) + learner_count),
        ("xlsx", len(crowd) + learner_count),
    ]
