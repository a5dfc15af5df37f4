"""Signed-in learners under load: the course page, a module page and a quiz submission through
gunicorn (2 workers, production settings) with wrk, 8 connections, after 2,000 learners with progress.

Run by `make bench`; needs wrk and the local Redis, like bench.site.
"""

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from bench.site import ROOT, free_port, production_env, start_gunicorn, wait_until_up, wrk

LEARNERS = 2000

SETUP = textwrap.dedent(
    """
    import json, uuid
    from django.conf import settings
    from django.contrib.auth import get_user_model, BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
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
    learner = User.objects.create_user(email="bench@example.org", password="x", full_name="Người đo")
    services.enrol(learner, course)
    CoursePage.objects.filter(pk=course.pk).update(modules_in_order=False)
    session = SessionStore()
    session[SESSION_KEY] = str(learner.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = learner.get_session_auth_hash()
    session.create()
    module = modules[-1]
    answers = {question: sorted(choices) for question, choices in services.correct_answers(module).items()}
    print(json.dumps({"session": session.session_key, "csrf": _get_new_csrf_string(), "course": course.url,
                      "module": module.url, "answers": answers}))
    """
)

POST_SCRIPT = """
math.randomseed(os.time())
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "{cookie}"
wrk.headers["X-CSRFToken"] = "{csrf}"
wrk.headers["Referer"] = "{base}"
wrk.headers["Origin"] = "{base}"
request = function()
  local token = string.format("%08x-%04x-4%03x-a%03x-%012x", math.random(0, 0xffffffff), math.random(0, 0xffff),
    math.random(0, 0xfff), math.random(0, 0xfff), math.random(0, 0xffffffffffff))
  return wrk.format(nil, nil, nil, "token=" .. token .. "&{answers}")
end
"""


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
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", SETUP.replace("__LEARNERS__", str(LEARNERS))],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    fixture = json.loads(out.strip().splitlines()[-1])
    base = f"http://127.0.0.1:{port}"
    cookie = f"sessionid={fixture['session']}; csrftoken={fixture['csrf']}"
    answers = "&".join(
        f"q-{question}={choice}" for question, choices in fixture["answers"].items() for choice in choices
    )
    script = work / "post.lua"
    script.write_text(POST_SCRIPT.format(cookie=cookie, csrf=fixture["csrf"], base=base, answers=answers))
    get_script = work / "get.lua"
    get_script.write_text(f'wrk.headers["Cookie"] = "{cookie}"\n')

    server = start_gunicorn(env, port)
    rows = []
    try:
        wait_until_up(f"{base}/healthz")
        for label, path, lua in (
            ("course page", fixture["course"], get_script),
            ("module page", fixture["module"], get_script),
            ("quiz submission (POST)", fixture["module"], script),
        ):
            rows.append((label, *wrk(base + path, script=lua)))
    finally:
        server.terminate()
        server.wait(timeout=20)

    database = env["DATABASE_URL"].split(":", 1)[0]
    print(f"\nSigned-in learner ({LEARNERS} others with progress), {database}, gunicorn 2 workers, wrk -c8 -d10s")
    print("service ms = 2 workers / requests per second: the time one request holds a worker\n")
    print(f"{'what':<26} {'requests/s':>11} {'p50':>10} {'p99':>10} {'service ms':>11} {'errors':>7}")
    print("-" * 80)
    for label, rate, p50, p99, errors in rows:
        print(f"{label:<26} {rate:11.1f} {p50:>10} {p99:>10} {2000 / rate:11.1f} {errors:7d}")


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
