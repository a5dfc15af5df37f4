"""Load through the production topology: locust, 200 users, 1-3 s think time, 60 s.

Builds the topology of `make serve-prod` on ports of its own (nginx with TLS, two gunicorn app
servers, the worker, PostgreSQL, Redis), prepares learners who have done every module but the
final quiz, then runs locust headless against the HTTPS front: half the users read public pages
anonymously, half come back signed in (a session made beforehand), read module pages and submit
the final quiz. Prints requests/s,
p50/p95/p99 and errors per endpoint class.

    .venv/bin/python -m bench.load            # part of `make bench`

Aim (issue 14): 0 errors, p95 under 500 ms for signed-in requests on a 2-core machine. Locust runs
on the same two cores as the site, so the figures are the whole machine's, not the site's alone.
"""

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from deploy.local.topology import Ports, Topology, port_open

USERS = int(os.environ.get("BENCH_LOAD_USERS", "200"))
DURATION = os.environ.get("BENCH_LOAD_DURATION", "60s")
SPAWN_RATE = 20  # users started per second: all 200 within the first 10 s
BENCH_PORTS = Ports(https=8473, http=8110, apps=(8031, 8032), postgres=5473, redis=6410, smtp=8055, worker_metrics=8039)
SIGNED_IN_AIM_MS = 500

PREPARE = """
import json
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from accounts.models import User
from wagtail.models import Page
from courses.models import CoursePage, ModulePage
from tests.topology import data
setup = data.learners_before_the_final_quiz("load", {learners})
course, modules = data.course_and_final_quiz()
public = [page.url for page in Page.objects.live().public().exclude(depth=1).specific()
          if not isinstance(page, (CoursePage, ModulePage)) and page.url]
setup["modules"] = [module.url for module in modules]
setup["public_pages"] = public
# Officials come back signed in (a session lasts weeks): the load is their pages, not password hashing.
sessions = []
for user in User.objects.filter(email__in=setup["emails"]):
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    sessions.append(session.session_key)
setup["sessions"] = sessions
print("RESULT=" + json.dumps(setup))
"""


def prepare(topology, learners):
    done = topology.manage("shell", input=PREPARE.format(learners=learners), capture_output=True, text=True)
    found = re.search(r"^RESULT=(.*)$", done.stdout, re.MULTILINE)
    if not found:
        raise SystemExit(f"preparing the learners failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return json.loads(found[1])


def run_locust(topology, data_file, csv_prefix):
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(Path(__file__).with_name("locustfile.py")),
        "--headless",
        "--users",
        str(USERS),
        "--spawn-rate",
        str(SPAWN_RATE),
        "--run-time",
        DURATION,
        "--host",
        topology.url,
        "--csv",
        str(csv_prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    subprocess.run(command, env={**os.environ, "GBV_LOAD_DATA": str(data_file)}, check=False)


def print_table(csv_prefix):
    with open(f"{csv_prefix}_stats.csv", newline="") as stats:
        rows = list(csv.DictReader(stats))
    with open(f"{csv_prefix}_failures.csv", newline="") as failures:
        failed = list(csv.DictReader(failures))
    print(f"\nLoad through nginx (HTTPS) to two app servers: {USERS} users, 1-3 s think time, {DURATION}")
    header = (
        f"{'endpoint class':<24} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>7}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "all"
        print(
            f"{name:<24} {row['Request Count']:>9} {float(row['Requests/s']):>7.1f} {row['50%']:>7} "
            f"{row['95%']:>7} {row['99%']:>7} {row['Failure Count']:>7}"
        )
    signed_in = [row for row in rows if row["Name"] in ("signed-in module page", "quiz submission")]
    worst = max((int(row["95%"]) for row in signed_in), default=None)
    errors = sum(int(row["Failure Count"]) for row in rows if row["Name"] == "Aggregated")
    met = errors == 0 and len(signed_in) == 2 and worst < SIGNED_IN_AIM_MS
    print(
        f"\nAim: 0 errors (got {errors}); signed-in p95 under {SIGNED_IN_AIM_MS} ms (worst class: {worst} ms)"
        f" -> {'met' if met else 'NOT met'}"
    )
    for failure in failed:
        print(f"  failure: {failure['Method']} {failure['Name']}: {failure['Error']} x {failure['Occurrences']}")


def main():
    ports = [BENCH_PORTS.https, BENCH_PORTS.http, *BENCH_PORTS.apps, BENCH_PORTS.postgres, BENCH_PORTS.redis]
    if busy := [port for port in ports if port_open(port)]:
        raise SystemExit(f"bench.load needs ports {busy} free")
    state = Path(tempfile.mkdtemp(prefix="gbv-bench-load-"))
    topology = Topology(state, BENCH_PORTS, postgres_options=["fsync=off"])
    try:
        topology.up()
        data = prepare(topology, learners=USERS // 2 + 1)  # locust gives the two classes half each
        data["certificate"] = str(topology.certificate)
        data_file = state / "load.json"
        data_file.write_text(json.dumps(data))
        run_locust(topology, data_file, state / "locust")
        print_table(state / "locust")
    finally:
        topology.down()
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    main()
