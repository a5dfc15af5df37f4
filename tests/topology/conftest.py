"""The production topology of `make serve-prod`, built by the same scripts on the test ports.

One topology for the whole run (building it takes about 40 s): its own PostgreSQL cluster, Redis,
two gunicorn app servers, the worker, the timers and nginx with TLS, all on loopback (TEST_PORTS),
all torn down at the end whatever happened. The machine's own PostgreSQL (5432) and Redis (6379)
are never touched. Timers run often here: tasks stuck RUNNING for 20 s are reclaimed every 5 s.
"""

import contextlib
import ipaddress
import itertools
import json
import os
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests

from deploy.local.topology import TEST_PORTS, Topology, port_open

REQUEST_TIMEOUT = 30
TASK_RUNNING_LIMIT = 20
REQUEUE_EVERY = 5
STATE_PREFIX = "gbv-topology-"


def missing_programs():
    needed = ["nginx", "redis-server", "openssl"]
    missing = [program for program in needed if shutil.which(program) is None]
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        missing.append("postgresql")
    return missing


def stop_leftovers():
    """A run killed before its teardown leaves its processes: stop them by their own pid files."""
    for state in Path(tempfile.gettempdir()).glob(f"{STATE_PREFIX}*"):
        Topology(state, TEST_PORTS).down()
        shutil.rmtree(state, ignore_errors=True)


def make_test_topology(state):
    return Topology(
        state,
        TEST_PORTS,
        extra_env={"TASK_RUNNING_LIMIT_SECONDS": str(TASK_RUNNING_LIMIT)},
        timer_every={"gbv-requeue-stuck-tasks": REQUEUE_EVERY, "gbv-issue-missing-certificates": 30},
        # A throw-away cluster: no need to survive a power cut.
        postgres_options=["fsync=off", "full_page_writes=off"],
    )


@pytest.fixture(scope="session")
def topology():
    if reuse := os.environ.get("GBV_TOPOLOGY_STATE"):
        # While writing a test: a topology already up (python -m tests.topology.conftest up DIR).
        yield make_test_topology(reuse)
        return
    if missing := missing_programs():
        pytest.skip(f"the topology needs Debian's {' '.join(missing)} (make test-topology installs them)")
    stop_leftovers()
    ports = [TEST_PORTS.https, TEST_PORTS.http, *TEST_PORTS.apps, TEST_PORTS.postgres, TEST_PORTS.redis]
    if busy := [port for port in ports if port_open(port)]:
        pytest.fail(f"ports {busy} are taken: the topology tests need them free")
    state = Path(tempfile.mkdtemp(prefix=STATE_PREFIX))
    site = make_test_topology(state)
    try:
        site.up()
        yield site
    finally:
        site.down()
        shutil.rmtree(state, ignore_errors=True)


def django_shell(topology, call):
    """Run `call` (Python code using tests.topology.data) in the topology's Django; its JSON result."""
    code = f"import json\nfrom tests.topology import data\nprint('RESULT=' + json.dumps(data.{call}))\n"
    done = topology.manage("shell", input=code, capture_output=True, text=True, check=False)
    found = re.search(r"^RESULT=(.*)$", done.stdout, re.MULTILINE)
    assert found, f"{call} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return json.loads(found[1])


def log_tail(topology, name, lines=40):
    path = topology.logs / name
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def hidden_value(html, field):
    return re.search(rf'name="{field}" value="([^"]+)"', html)[1]


# Every test visitor comes from loopback, which the topology trusts as a proxy (TRUSTED_PROXIES):
# each browser names an address of its own (TEST-NET-3, never routed), as officials on their own
# networks would reach nginx, so per-address rate limits count each visitor, not the whole run.
CLIENT_ADDRESSES = itertools.cycle(ipaddress.ip_network("203.0.113.0/24").hosts())
CLIENT_ADDRESSES_LOCK = threading.Lock()


def next_client_address():
    with CLIENT_ADDRESSES_LOCK:
        return str(next(CLIENT_ADDRESSES))


class Browser:
    """A visitor's browser at the HTTPS front: its cookies, trusting the topology's certificate."""

    def __init__(self, topology):
        self.base = topology.url
        self.session = requests.Session()
        self.verify = str(topology.certificate)
        # A browser's POST says where it comes from; over HTTPS Django's CSRF check needs it.
        self.session.headers["Origin"] = topology.url
        self.session.headers["X-Forwarded-For"] = next_client_address()

    def get(self, path, **kwargs):
        # verify on each request: requests lets REQUESTS_CA_BUNDLE override a session's own.
        return self.session.get(
            self.base + path, timeout=REQUEST_TIMEOUT, allow_redirects=False, verify=self.verify, **kwargs
        )

    def post(self, path, data, **kwargs):
        return self.session.post(
            self.base + path, data=data, timeout=REQUEST_TIMEOUT, allow_redirects=False, verify=self.verify, **kwargs
        )

    def sign_in(self, email, password):
        page = self.get("/accounts/login/")
        assert page.status_code == 200, page.status_code
        form = {"csrfmiddlewaretoken": hidden_value(page.text, "csrfmiddlewaretoken"), "login": email}
        response = self.post("/accounts/login/", {**form, "password": password})
        assert response.status_code == 302, (response.status_code, response.text[-2000:])
        return response

    def another_tab(self):
        tab = Browser.__new__(Browser)
        tab.base, tab.verify, tab.session = self.base, self.verify, requests.Session()
        tab.session.headers.update(self.session.headers)  # the same person, from the same address
        tab.session.cookies.update(self.session.cookies)
        return tab


class Load:
    """A few visitors requesting a mix of pages in a loop while the block runs: every answer kept
    as (sent, answered, path, status), a client-side failure as its exception's name."""

    def __init__(self, browsers_and_paths, pause=0.05):
        self.work, self.pause = browsers_and_paths, pause
        self.answers, self.stopping, self.threads = [], threading.Event(), []

    def visit(self, browser, paths):
        while not self.stopping.is_set():
            for path in paths:
                sent = time.monotonic()
                try:
                    status = browser.get(path).status_code
                except requests.RequestException as error:
                    status = type(error).__name__
                self.answers.append((sent, time.monotonic(), path, status))
                time.sleep(self.pause)

    def __enter__(self):
        for browser, paths in self.work:
            thread = threading.Thread(target=self.visit, args=(browser, paths), daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)

    def between(self, start, end=float("inf")):
        return [(path, status) for _sent, answered, path, status in self.answers if start <= answered <= end]

    def in_flight(self, start, end):
        """Requests under way between `start` and `end`, while a server was being killed."""
        return [(path, status) for sent, answered, path, status in self.answers if sent <= end and answered >= start]

    def except_in_flight(self, start, end):
        """Every other answer: a response the killed server had begun to send is cut, as after any
        crash, since nginx can retry a request on the other server only before the first byte of
        its answer reached the visitor."""
        return [(path, status) for sent, answered, path, status in self.answers if sent > end or answered < start]


def server_errors(answers):
    return [(path, status) for path, status in answers if not isinstance(status, int) or status >= 500]


def wait_until(what, check, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if value := check():
                return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout} s")


if __name__ == "__main__":
    import sys

    action, state = sys.argv[1:3]
    getattr(make_test_topology(state), action)()
