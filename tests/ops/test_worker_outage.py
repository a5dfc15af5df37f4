"""The worker outlives a real PostgreSQL outage: a cluster of the test's own is stopped for 10 s
under a running `manage.py run_worker`, started again, and the same process renders the next
certificate."""

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PORTS = range(5442, 5446)  # this test's loopback ports; never the machine's own 5432
DATABASE = "gbv_worker_outage"

SEED = """
from tests.cms.factories import make_home_page
from tests.courses.factories import CompletionFactory, make_course
course = make_course(make_home_page(quick_exit_url="https://neutral.example.com/weather"))
CompletionFactory(course=course["course"], user__full_name="Trần Thị Mai")
"""
ISSUE = """
from certificates import services
from courses.models import Completion
services.issue(Completion.objects.get())
"""


def postgres_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def free_port():
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.skip(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


class Cluster:
    """A PostgreSQL cluster of the test's own on a loopback port, run as the postgres user."""

    def __init__(self, bin_dir, directory, port):
        self.bin_dir, self.directory, self.port = bin_dir, directory, port
        self.url = f"postgres://postgres@127.0.0.1:{port}/{DATABASE}"

    def as_postgres(self, command):
        subprocess.run(["su", "postgres", "-c", command], check=True, capture_output=True, timeout=60)

    def init(self):
        self.as_postgres(f"{self.bin_dir}/initdb -D {self.directory}/data -A trust -U postgres")

    def start(self):
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.as_postgres(
            f"{self.bin_dir}/pg_ctl -D {self.directory}/data -o '{options}' -l {self.directory}/log -w start"
        )

    def stop(self, mode="fast"):
        self.as_postgres(f"{self.bin_dir}/pg_ctl -D {self.directory}/data -m {mode} -w stop")

    def query(self, sql, dbname=DATABASE):
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True) as db:
            cursor = db.execute(sql)
            return cursor.fetchall() if cursor.description else None


@pytest.fixture
def cluster():
    bin_dir = postgres_bin()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        pytest.skip("PostgreSQL's initdb and pg_ctl are not installed (/usr/lib/postgresql/*/bin)")
    if os.geteuid() != 0 or shutil.which("su") is None:
        pytest.skip("starting a PostgreSQL cluster as the postgres user needs root")
    directory = Path(tempfile.mkdtemp(prefix="gbv_worker_pg_"))
    shutil.chown(directory, "postgres")
    cluster = Cluster(bin_dir, directory, free_port())
    cluster.init()
    cluster.start()
    cluster.query(f"CREATE DATABASE {DATABASE}", dbname="postgres")
    try:
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # stopped already
            cluster.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)


def wait_for(condition, timeout, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def test_the_worker_reconnects_after_a_database_outage_and_renders_the_next_certificate(cluster, tmp_path):
    certificates_root = tmp_path / "certificates"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.ops.worker_settings",
        "DATABASE_URL": cluster.url,
        "CERTIFICATES_ROOT": str(certificates_root),
        "PYTHONUNBUFFERED": "1",
    }

    def django(*args, timeout=120):
        return subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=timeout
        )

    django("manage.py", "migrate", "--no-input", "-v", "0")
    django("manage.py", "shell", "-c", SEED)
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--backend", "background", "--interval", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        assert wait_for(lambda: "Starting worker" in log.read_text(), 30), log.read_text()

        cluster.stop("fast")  # the outage: every connection is cut, and new ones are refused
        time.sleep(10)
        assert worker.poll() is None, log.read_text()
        cluster.start()

        django("manage.py", "shell", "-c", ISSUE)  # the certificate's render goes to the queue

        def rendered():
            return cluster.query("SELECT pdf, holder_notified_at FROM certificates_certificate")

        assert wait_for(lambda: rendered()[0][0] != "", 40), log.read_text()
        [(pdf, notified_at)] = rendered()
        assert (certificates_root / pdf).read_bytes().startswith(b"%PDF")
        assert notified_at is not None
        # The render's task (issuing also queues the reports' unit figures refresh, half a minute later).
        [(status, worker_ids)] = cluster.query(
            "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult"
            " WHERE task_path LIKE '%.render_certificate'"
        )
        assert status == "SUCCESSFUL" and len(worker_ids) == 1
        assert worker.poll() is None  # the same process, never exited
        output = log.read_text()
        assert "lost the database" in output and "reconnected to the database" in output

        worker.send_signal(signal.SIGTERM)  # a supervisor's stop still ends it cleanly
        assert worker.wait(timeout=15) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
