"""Signed-in learners under load: the course page, a module page and a quiz submission through
gunicorn (2 workers, production settings) with wrk, 8 connections, after 2,000 learners with progress;
then the module page and a quiz submission one request at a time (1 connection) against issue 17's
aims (p50 under 8 and 15 ms), and the SQL queries each costs (at most 8 and 15).

Each request comes from one of 32 signed-in learners picked at random, as on a real day (one
learner's submissions would queue on their own enrolment's row lock). Besides wrk's latency, which
includes the wait for a free worker, it prints the service time: how long gunicorn spent on each
request, from its access log.

Run by `make bench`; needs wrk and the local Redis, like bench.site.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from bench.results import record
from bench.site import ROOT, database_of, free_port, milliseconds, production_env, start_gunicorn, wait_until_up, wrk

LEARNERS = 2000
SIGNED_IN = 64
# Issue 17's aims for one client at a time: p50 in ms and SQL queries per request.
MODULE_PAGE_AIM, SUBMISSION_AIM = 8, 15
MODULE_PAGE_QUERIES, SUBMISSION_QUERIES = 8, 15

SETUP = textwrap.dedent(
    """
    import json, uuid
    from django.conf import settings
    from django.contrib.auth import get_user_model, BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from importlib import import_module
    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
    from django.middleware.csrf import _get_new_csrf_string
    from courses import services
    from courses.models import CoursePage, Enrolment, ModuleProgress
    User = get_user_model()
    course = CoursePage.objects.get(slug="tiep-nhan-xac-minh-va-ho-tro")
    modules = list(course.modules())
    units = list(__import__("accounts.models", fromlist=["OrganisationUnit"]).OrganisationUnit.objects.filter(depth=3))
    users = User.objects.bulk_create(
        User(email=f"bench{n}@example.org", full_name=f"Học viên {n}", unit=units[n % len(units)], password="!")
        for n in range(__LEARNERS__)
    )
    enrolments = Enrolment.objects.bulk_create(Enrolment(user=user, course=course) for user in users)
    ModuleProgress.objects.bulk_create(
        ModuleProgress(enrolment=e, module=modules[m], score=100) for i, e in enumerate(enrolments) for m in range(i % 5)
    )
    CoursePage.objects.filter(pk=course.pk).update(modules_in_order=False)
    course.refresh_from_db()
    sessions = []
    for n in range(__SIGNED_IN__):
        learner = User.objects.create_user(email=f"signed-in{n}@example.org", full_name=f"Người đo {n}")
        services.enrol(learner, course)
        session = SessionStore()
        session[SESSION_KEY] = str(learner.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = learner.get_session_auth_hash()
        session.create()
        sessions.append(session.session_key)
    from django.db import connection
    if connection.vendor == "postgresql":
        connection.cursor().execute("VACUUM ANALYZE")  # as a live database would be, not autovacuum mid-run
    module = modules[-1]
    # Every submission of the run is a real attempt, not a refusal past the hourly limit.
    type(module).objects.filter(pk=module.pk).update(attempts_per_hour=60)
    from cms.page_cache import drop_all_pages
    drop_all_pages()  # the updates above bypass the signals that drop what is remembered of pages
    answers = {question: sorted(choices) for question, choices in services.correct_answers(module).items()}
    print(json.dumps({"sessions": sessions, "csrf": _get_new_csrf_string(), "course": course.url,
                      "module": module.url, "answers": answers}))
    """
)

# The SQL queries of a module page (seen once before) and of a quiz submission, as the first learner.
QUERIES = textwrap.dedent(
    """
    import json, uuid
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    fixture = json.loads(__FIXTURE__)
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = fixture["sessions"][0]
    answers = {f"q-{question}": choices for question, choices in fixture["answers"].items()}
    assert client.get(fixture["module"]).status_code == 200
    with CaptureQueriesContext(connection) as page:
        assert client.get(fixture["module"]).status_code == 200
    with CaptureQueriesContext(connection) as submission:
        assert client.post(fixture["module"], {"token": str(uuid.uuid4()), **answers}).status_code == 200
    print(json.dumps({"page": len(page), "submission": len(submission)}))
    """
)

# Lua for wrk: every request signed in as a learner picked at random.
GET_SCRIPT = """
math.randomseed(os.time())
local sessions = {{{sessions}}}
request = function()
  local cookie = "sessionid=" .. sessions[math.random(#sessions)] .. "; csrftoken={csrf}"
  return wrk.format("GET", nil, {{["Cookie"] = cookie}})
end
"""

POST_SCRIPT = """
math.randomseed(os.time())
local sessions = {{{sessions}}}
request = function()
  local token = string.format("%08x-%04x-4%03x-a%03x-%012x", math.random(0, 0xffffffff), math.random(0, 0xffff),
    math.random(0, 0xfff), math.random(0, 0xfff), math.random(0, 0xffffffffffff))
  local headers = {{
    ["Cookie"] = "sessionid=" .. sessions[math.random(#sessions)] .. "; csrftoken={csrf}",
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-CSRFToken"] = "{csrf}",
    ["Referer"] = "{base}",
    ["Origin"] = "{base}",
  }}
  return wrk.format("POST", nil, headers, "token=" .. token .. "&{answers}")
end
"""


def service_times(access_log, offset):
    """Milliseconds gunicorn spent on each request logged after `offset` (JSON lines, ops.logs)."""
    with access_log.open() as log:
        log.seek(offset)
        entries = [json.loads(line) for line in log if line.startswith("{")]
    return [int(entry["message"].split()[-1]) / 1000 for entry in entries if entry["logger"] == "gunicorn.access"]


def main():
    import json

    work = Path(tempfile.mkdtemp(prefix="gbv-bench-courses-"))
    port = free_port()
    env = production_env(work, port)
    # Writers from two workers at once: PostgreSQL, as in production (SQLite would lock).
    if "DATABASE_URL" not in os.environ and subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode == 0:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "gbv_bench"], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", "gbv_bench"], check=True)
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/gbv_bench"
    for command in (
        ["migrate", "--no-input", "-v", "0"],
        ["load_demo_data"],
        ["collectstatic", "--no-input", "-v", "0"],
    ):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
    out = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-v",
            "0",
            "-c",
            SETUP.replace("__LEARNERS__", str(LEARNERS)).replace("__SIGNED_IN__", str(SIGNED_IN)),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    out_json = out.strip().splitlines()[-1]
    fixture = json.loads(out_json)
    base = f"http://127.0.0.1:{port}"
    sessions = ", ".join(f'"{key}"' for key in fixture["sessions"])
    answers = "&".join(
        f"q-{question}={choice}" for question, choices in fixture["answers"].items() for choice in choices
    )
    post_script = work / "post.lua"
    post_script.write_text(POST_SCRIPT.format(sessions=sessions, csrf=fixture["csrf"], base=base, answers=answers))
    get_script = work / "get.lua"
    get_script.write_text(GET_SCRIPT.format(sessions=sessions, csrf=fixture["csrf"]))

    access_log = work / "access.log"
    server = start_gunicorn(env, port, access_log=access_log)
    rows, one_at_a_time = [], []
    try:
        wait_until_up(f"{base}/healthz")
        for label, path, lua in (
            ("course page", fixture["course"], get_script),
            ("module page", fixture["module"], get_script),
            ("quiz submission (POST)", fixture["module"], post_script),
        ):
            wrk(base + path, script=lua, duration="2s")  # warm each worker's caches
            offset = access_log.stat().st_size
            rate, p50, p99, errors = wrk(base + path, script=lua)
            served = service_times(access_log, offset)
            rows.append((label, rate, p50, p99, statistics.median(served), errors))
        for label, path, lua, aim in (
            ("module page", fixture["module"], get_script, MODULE_PAGE_AIM),
            ("quiz submission (POST)", fixture["module"], post_script, SUBMISSION_AIM),
        ):
            offset = access_log.stat().st_size
            rate, p50, p99, errors = wrk(base + path, script=lua, duration="5s", connections=1)
            served = service_times(access_log, offset)
            one_at_a_time.append((label, rate, p50, p99, statistics.median(served), errors, aim))
    finally:
        server.terminate()
        server.wait(timeout=20)
    queries = json.loads(
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-v", "0", "-c", QUERIES.replace("__FIXTURE__", repr(out_json))],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )

    database = env["DATABASE_URL"].split(":", 1)[0]
    print(f"\n{SIGNED_IN} signed-in learners at random ({LEARNERS} others with progress), {database},")
    print("gunicorn 2 workers, wrk -c8 -d10s. p50/p99: latency seen by the client, including the wait for")
    print("a free worker; service p50: the median time gunicorn spent on a request (aim: under 30 ms)\n")
    print(f"{'what':<26} {'requests/s':>11} {'p50':>10} {'p99':>10} {'service p50':>12} {'errors':>7}")
    print("-" * 81)
    for label, rate, p50, p99, service, errors in rows:
        print(f"{label:<26} {rate:11.1f} {p50:>10} {p99:>10} {service:9.1f} ms {errors:7d}")

    print("\nOne client at a time (wrk -c1 -d5s): p50 seen by the client, against issue 17's aims\n")
    print(f"{'what':<26} {'requests/s':>11} {'p50':>10} {'p99':>10} {'service p50':>12} {'aim':>8} {'errors':>7}")
    print("-" * 90)
    for label, rate, p50, p99, service, errors, aim in one_at_a_time:
        print(f"{label:<26} {rate:11.1f} {p50:>10} {p99:>10} {service:9.1f} ms {f'< {aim} ms':>8} {errors:7d}")
        value = milliseconds(p50)
        record(
            f"{label}, signed in, p50 at 1 client",
            round(value, 2),
            "ms",
            aim=f"< {aim} ms",
            passed=value < aim and errors == 0,
            database=database_of(env),
            note=f"service p50 {service:.1f} ms",
        )
    print(f"\nSQL queries: module page {queries['page']} (aim <= {MODULE_PAGE_QUERIES}),", end=" ")
    print(f"quiz submission {queries['submission']} (aim <= {SUBMISSION_QUERIES})")
    for label, count, aim in (
        ("module page, signed in, SQL queries", queries["page"], MODULE_PAGE_QUERIES),
        ("quiz submission, SQL queries", queries["submission"], SUBMISSION_QUERIES),
    ):
        record(label, count, "queries", aim=f"<= {aim}", passed=count <= aim, database=database_of(env))


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
