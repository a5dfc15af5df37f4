"""Each part of the topology but the database fails in turn, under a light load, and the site
keeps its promises; the database's own outage is a Vietnamese 503 page and a full recovery.

Every fault stops or kills the real process (by the pid the topology keeps), never a mock.
"""

import os
import re
import signal
import threading
import time

import psycopg
import pytest

from tests.topology.conftest import (
    REQUEUE_EVERY,
    TASK_RUNNING_LIMIT,
    Browser,
    Load,
    django_shell,
    hidden_value,
    log_tail,
    server_errors,
    wait_until,
)

PASSWORD = "Demo-GBV-2026"
PAGES = ["/", "/courses/", "/tin-tuc/", "/healthz"]
SIGNED_IN_PAGES = ["/my/", "/"]
OUTAGE_HEADING = "<h1>Trang web đang tạm gián đoạn</h1>"


def light_load(topology, learner_email=None):
    """Three visitors: two anonymous ones reading pages, one signed-in learner on her dashboard."""
    signed_in = Browser(topology)
    signed_in.sign_in(learner_email or "hocvien2@example.org", PASSWORD)
    return Load([(Browser(topology), PAGES), (Browser(topology), PAGES[::-1]), (signed_in, SIGNED_IN_PAGES)])


def served_by(topology, since_line):
    lines = (topology.logs / "gbv-access.log").read_text().splitlines()[since_line:]
    return [re.search(r"upstream=(\S+)", line)[1] for line in lines]


def access_log_length(topology):
    return len((topology.logs / "gbv-access.log").read_text().splitlines())


def ready_to_submit(topology, prefix, count):
    """`count` signed-in learners each holding the final quiz's form, answered right."""
    setup = django_shell(topology, f"learners_before_the_final_quiz({prefix!r}, {count})")
    ready = []
    for email in setup["emails"]:
        browser = Browser(topology)
        browser.sign_in(email, setup["password"])
        page = browser.get(setup["final_quiz"])
        form = {field: hidden_value(page.text, field) for field in ("csrfmiddlewaretoken", "token")}
        ready.append((email, browser, {**form, **setup["answers"]}))
    return setup["final_quiz"], ready


def test_postgresql_stopped_for_10_s_is_a_503_page_then_a_full_recovery(topology):
    worker = wait_until("the worker runs", lambda: topology.pid("gbv-worker"), 15)
    path, learners = ready_to_submit(topology, "pg", 12)
    acknowledged, sent = [], threading.Event()

    def submit_one_by_one():
        for email, browser, form in learners:
            try:
                if browser.post(path, form).status_code == 200:
                    acknowledged.append(email)
            except Exception:  # noqa: BLE001, S110 - not acknowledged, so nothing is promised
                pass
            time.sleep(1.5)
        sent.set()

    signed_in = Browser(topology)
    signed_in.sign_in("hocvien1@example.org", PASSWORD)
    with light_load(topology) as load:
        submitter = threading.Thread(target=submit_one_by_one)
        submitter.start()
        time.sleep(3)
        stopped = time.monotonic()
        topology.stop_postgres()
        time.sleep(2)
        page, health = signed_in.get("/my/"), signed_in.get("/healthz")
        time.sleep(max(0, 10 - (time.monotonic() - stopped)))
        topology.start_postgres()
        restarted = time.monotonic()
        wait_until("the site answers again", lambda: signed_in.get("/healthz").status_code == 200, 30)
        assert signed_in.get("/my/").status_code == 200
        recovered = time.monotonic()
        submitter.join(timeout=60)
        time.sleep(3)

    assert page.status_code == 503 and OUTAGE_HEADING in page.text, page.text[-1500:]
    assert page.headers["Retry-After"] == "30"
    assert health.status_code == 503
    # Outside the outage no 5xx at all; during it, 503 only (never a 500 nor nginx's 502).
    assert server_errors(load.between(0, stopped)) == []
    assert server_errors(load.between(recovered)) == []
    assert {status for _path, status in server_errors(load.between(stopped, restarted + 30))} <= {503}
    # No acknowledged answer lost: each one's attempt and completion are in the database.
    assert sent.is_set() and acknowledged
    written = django_shell(topology, f"outcome({acknowledged!r})")
    assert written["completions"] == dict.fromkeys(acknowledged, 1)
    # The worker waited the outage out: the same process, never restarted.
    assert topology.pid("gbv-worker") == worker, log_tail(topology, "gbv-worker.log")


def test_redis_stopped_for_20_s_serves_every_page_and_still_limits_logins(topology):
    [account] = django_shell(topology, "learners_before_the_final_quiz('redis', 1)")["emails"]  # to attack
    with light_load(topology) as load:
        time.sleep(2)
        topology.stop_redis()
        stopped = time.monotonic()
        attacker = Browser(topology)
        page = attacker.get("/accounts/login/")
        assert page.status_code == 200, f"the sign-in page without Redis: {page.status_code}"
        form = {"csrfmiddlewaretoken": hidden_value(page.text, "csrfmiddlewaretoken"), "login": account}
        burst = [attacker.post("/accounts/login/", {**form, "password": f"wrong-{n}"}).status_code for n in range(40)]
        right_password = attacker.post("/accounts/login/", {**form, "password": PASSWORD})
        time.sleep(max(0, 20 - (time.monotonic() - stopped)))
        topology.start_redis()
        restarted = time.monotonic()
        time.sleep(5)

    assert server_errors(load.between(0)) == [], server_errors(load.between(0))[:10]
    assert all(status in (200, 429) for status in burst), burst
    # After the burst even the right password is refused: allauth's limit held without Redis.
    assert right_password.status_code != 302, right_password.status_code
    assert [status for _path, status in load.between(restarted + 1)].count(200) > 10


def test_the_worker_killed_mid_render_is_restarted_and_the_pdf_made_within_the_limit(topology):
    setup = django_shell(topology, "learners_before_the_final_quiz('render', 6)")
    database = f"postgres://postgres@127.0.0.1:{topology.ports.postgres}/gbv"
    for email in setup["emails"]:  # each finishes the course: a certificate and its PDF task each
        browser = Browser(topology)
        browser.sign_in(email, setup["password"])
        page = browser.get(setup["final_quiz"])
        form = {field: hidden_value(page.text, field) for field in ("csrfmiddlewaretoken", "token")}
        assert browser.post(setup["final_quiz"], {**form, **setup["answers"]}).status_code == 200

    with psycopg.connect(database, autocommit=True) as db:

        def running_task():
            return db.execute(
                "SELECT id FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING' LIMIT 1"
            ).fetchone()

        deadline = time.monotonic() + 30
        while not running_task():
            assert time.monotonic() < deadline, "no task was ever RUNNING: " + log_tail(topology, "gbv-worker.log")
            time.sleep(0.02)
        worker = wait_until("the worker runs", lambda: topology.pid("gbv-worker"), 15)
        os.killpg(worker, signal.SIGKILL)
        killed = time.monotonic()

    wait_until("the supervisor restarts the worker", lambda: topology.pid("gbv-worker") not in (None, worker), 15)
    limit = TASK_RUNNING_LIMIT + REQUEUE_EVERY + 20  # reclaimed, then rendered
    wait_until(
        "every certificate has its PDF",
        lambda: all(
            certificate["pdf"]
            for certificates in django_shell(topology, f"outcome({setup['emails']!r})")["certificates"].values()
            for certificate in certificates
        ),
        limit,
    )
    assert time.monotonic() - killed < limit + 10
    written = django_shell(topology, f"outcome({setup['emails']!r})")
    paths = [certificate["path"] for certificates in written["certificates"].values() for certificate in certificates]
    assert len(paths) == len(setup["emails"]) and all(paths)
    for path in paths:  # one PDF each, where the certificate says it is
        assert (topology.state / "private_media" / path).is_file()


def test_one_app_server_killed_the_other_serves_and_nginx_routes_around_it(topology):
    victim, survivor = (f"gbv-web-{port}" for port in topology.ports.apps)
    before = access_log_length(topology)
    with light_load(topology) as load:
        time.sleep(2)
        pid = topology.pid(victim)
        killing = time.monotonic()
        os.killpg(pid, signal.SIGKILL)  # the arbiter and its workers: the server is gone
        killed = time.monotonic()
        time.sleep(8)
        during = access_log_length(topology)
        wait_until("the supervisor restarts the app server", lambda: topology.pid(victim) not in (None, pid), 15)
        time.sleep(12)  # nginx tries it again after fail_timeout (10 s)

    unaffected = load.except_in_flight(killing, killed)
    assert server_errors(unaffected) == [], server_errors(unaffected)
    # At most one request per visitor was under way at the kill, and none of them got a 5xx page:
    # an answer already begun is cut (the browser shows a network error), any other is retried.
    in_flight = load.in_flight(killing, killed)
    assert len(in_flight) <= 3, in_flight
    assert [status for _path, status in in_flight if isinstance(status, int) and status >= 500] == [], in_flight
    assert len(load.between(killed, killed + 8)) > 20
    upstreams = served_by(topology, before)
    assert f"127.0.0.1:{topology.ports.apps[1]}" in upstreams[: during - before], survivor
    # Back in the rotation once restarted.
    assert f"127.0.0.1:{topology.ports.apps[0]}" in upstreams[during - before :]


@pytest.fixture(autouse=True)
def _site_is_whole_after_each_fault(topology):
    yield
    # The next test starts from a whole topology, whatever this one left.
    if not (topology.pgdata / "postmaster.pid").exists():
        topology.start_postgres()
    if not (topology.run / "redis.pid").exists():
        topology.start_redis()
    topology.wait_until_healthy()
