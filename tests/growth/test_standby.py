"""Reports read a streaming standby; a write is never sent there; the standby down, they read the primary.

A PostgreSQL primary of the test's own on 127.0.0.1:5463 and a standby on 5464 made from it with
`pg_basebackup -R`, the app (runserver) on 8130 with DATABASE_URL on the primary and
DATABASE_REPLICA_URL on the standby. Replay paused on the standby stands for a standby behind: a
completion recorded on the primary shows on the learner's /my/ at once, in the reports only once
replayed. The machine's own PostgreSQL (5432) is never touched; teardown stops both clusters.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from deploy.local.topology import PYTHON, REPO, Ports, Topology, as_root, port_open, postgres_bin, wait_for

PRIMARY, STANDBY, APP = 5463, 5464, 8130
LAG_WARNING_SECONDS = 2
REPORT = "/admin/reports/completion-records/?status=completed"
SUMMARY = "/admin/reports/unit-summary/"
NOTICE = "Số liệu báo cáo đang chậm khoảng"
LATER = "Người Xong Sau"


def cluster(state, port):
    """A PostgreSQL cluster in `state`/postgres on `port`, with deploy/local/topology.py's helpers."""
    ports = Ports(https=0, http=0, apps=(), postgres=port, redis=0, smtp=0, worker_metrics=0)
    return Topology(state, ports, postgres_options=["fsync=off", "full_page_writes=off"])


def sql(port, query, database="gbv"):
    import psycopg

    with psycopg.connect(f"postgres://postgres@127.0.0.1:{port}/{database}", autocommit=True) as db:
        return db.execute(query).fetchone()[0]


class App:
    """The site on the primary, its reports on the standby: manage.py commands and a runserver."""

    def __init__(self, state):
        self.state = state
        self.log = state / "server.log"
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", "/"),
            "LANG": "C.UTF-8",
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PRIMARY}/gbv",
            "DATABASE_CONN_MAX_AGE": "60",
            "REPLICA_LAG_WARNING_SECONDS": str(LAG_WARNING_SECONDS),
            "REPLICA_CHECK_SECONDS": "0.5",
            "MEDIA_ROOT": str(state / "media"),
            "PRIVATE_MEDIA_ROOT": str(state / "private_media"),
            "LOG_LEVEL": "WARNING",
        }
        self.server = None

    def manage(self, *args, replica=False, **kwargs):
        env = {
            **self.env,
            **({"DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{STANDBY}/gbv"} if replica else {}),
        }
        return subprocess.run([str(PYTHON), "manage.py", *args], cwd=REPO, env=env, **kwargs)

    def call(self, function):
        """Run tests/growth/standby_data.`function` on the primary; its JSON result."""
        code = f"import json\nfrom tests.growth import standby_data\nprint('RESULT=' + json.dumps(standby_data.{function}))\n"
        done = self.manage("shell", input=code, capture_output=True, text=True)
        found = re.search(r"^RESULT=(.*)$", done.stdout, re.MULTILINE)
        assert found, f"{function} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return json.loads(found[1])

    def start(self):
        with open(self.log, "a") as log:
            self.server = subprocess.Popen(
                [str(PYTHON), "manage.py", "runserver", f"127.0.0.1:{APP}", "--noreload", "--nothreading"],
                cwd=REPO,
                env={**self.env, "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{STANDBY}/gbv"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def stop(self):
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(10)
            except subprocess.TimeoutExpired:
                self.server.kill()


@pytest.fixture(scope="module")
def site():
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        pytest.skip("the standby test needs Debian's postgresql (make test-growth installs it)")
    if busy := [port for port in (PRIMARY, STANDBY, APP) if port_open(port)]:
        pytest.fail(f"ports {busy} are taken: the standby test needs them free")
    state = Path(tempfile.mkdtemp(prefix="gbv-standby-"))
    state.chmod(0o755)  # the postgres user reaches its clusters inside
    primary, standby, app = cluster(state / "primary", PRIMARY), cluster(state / "standby", STANDBY), App(state)
    try:
        primary.state.mkdir()
        primary.init_postgres()
        primary.start_postgres()
        primary.create_database()
        people = app.call("prepare()")  # migrates first
        app.start()  # while the standby is made: it reads the primary until the standby answers
        standby.pgdata.mkdir(parents=True)
        if as_root():
            shutil.chown(standby.pgdata, "postgres", "postgres")
        standby.pgdata.chmod(0o700)
        basebackup = [str(postgres_bin() / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(PRIMARY), "-U", "postgres"]
        standby.as_postgres([*basebackup, "-D", str(standby.pgdata), "-R", "-X", "stream", "-c", "fast"], check=True)
        standby.start_postgres()
        wait_for("the standby", lambda: sql(STANDBY, "SELECT pg_is_in_recovery()"), 30)
        wait_for("the app", lambda: port_open(APP), 30)
        yield primary, standby, app, people
    finally:
        app.stop()
        standby.stop_postgres(mode="immediate")
        primary.stop_postgres(mode="immediate")
        shutil.rmtree(state, ignore_errors=True)


def browser(session_key):
    visitor = requests.Session()
    visitor.cookies.set("sessionid", session_key, domain="127.0.0.1")
    return visitor


def get(visitor, path):
    return visitor.get(f"http://127.0.0.1:{APP}{path}", timeout=30, allow_redirects=False)


def page_with(visitor, path, text):
    """The page's text when it holds `text`, else None."""
    page = get(visitor, path).text
    return page if text in page else None


def wait_until(what, check, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.25)
    raise AssertionError(f"{what}: not within {timeout} s")


def test_reports_read_the_standby_and_fall_back_to_the_primary(site):
    primary, standby, app, people = site
    manager, learner = browser(people["manager"]), browser(people["later"])
    health = get(manager, "/healthz").json()
    assert (health["replica"], health["replica_lag_seconds"]) == ("up", 0)
    assert "Người Đã Xong" in get(manager, REPORT).text

    # The standby stops replaying: it falls behind as the primary records a completion.
    sql(STANDBY, "SELECT pg_wal_replay_pause()")
    app.call(f"complete({people['later_email']!r})")
    logs_before = sql(PRIMARY, "SELECT count(*) FROM audit_exportlog")

    mine = get(learner, "/my/").text  # the learner's own page reads the primary: done at once
    assert "Chưa hoàn thành khóa học nào." not in mine and 'class="card__title">Hiểu đúng' in mine
    behind = wait_until("the lag notice", lambda: page_with(manager, REPORT, NOTICE))
    assert "Người Đã Xong" in behind and LATER not in behind
    summary = get(manager, SUMMARY)
    assert summary.status_code == 200 and NOTICE in summary.text
    export = get(manager, "/admin/reports/completion-records/?status=completed&export=csv")
    assert export.status_code == 200 and "Người Đã Xong" in export.text and LATER not in export.text
    # The export's log row is on the primary (a write sent to the standby would have failed).
    assert sql(PRIMARY, "SELECT count(*) FROM audit_exportlog") == logs_before + 1
    assert get(manager, "/healthz").json()["replica_lag_seconds"] > LAG_WARNING_SECONDS

    # Replayed, the completion shows and the notice goes.
    sql(STANDBY, "SELECT pg_wal_replay_resume()")
    caught_up = wait_until("the replayed completion", lambda: page_with(manager, REPORT, LATER))
    wait_until("the notice gone", lambda: NOTICE not in get(manager, REPORT).text)  # the lag is checked apart
    assert "Người Đã Xong" in caught_up
    assert sql(STANDBY, "SELECT count(*) FROM audit_exportlog") == logs_before + 1  # replayed, not written there

    # The standby down: the reports answer from the primary.
    standby.stop_postgres(mode="immediate")
    pages = [get(manager, path) for path in (REPORT, SUMMARY, "/admin/", REPORT + "&export=csv")]
    assert [page.status_code for page in pages] == [200, 200, 200, 200]
    assert LATER in pages[0].text and LATER in pages[3].text
    assert get(manager, "/healthz").json()["replica"] == "down"

    log = app.log.read_text()
    assert "Traceback" not in log and "read-only transaction" not in log, log[-3000:]
    assert "reading the primary instead" in log or "standby database is unreachable" in log
