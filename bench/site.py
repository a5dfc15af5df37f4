"""The public site under load: gunicorn (2 workers, production settings, the demo content, Redis
cache) and wrk with 8 connections; requests/s and p50/p99 for pages beside a WhiteNoise static file.

Run by `make bench`; needs wrk (Debian's package) and the local Redis. Its database is a fresh
SQLite file (or DATABASE_URL's database, whose tables it creates and fills).
"""

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DURATION, CONNECTIONS, THREADS = "10s", 8, 2


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local server
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer at {url}")


def wrk(url, script=None, duration=DURATION):
    extra = ["-s", str(script)] if script else []
    out = subprocess.run(
        ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}", "--latency", *extra, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, percentiles.get("50", "?"), percentiles.get("99", "?"), int(errors.group(1)) if errors else 0


def production_env(work, port):
    """Production settings on a throwaway database, media and static folder, and Redis database 15."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "WAGTAILADMIN_BASE_URL": f"http://127.0.0.1:{port}",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
        "EMAIL_HOST": "localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{work / 'bench.sqlite3'}"),
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(work / "media"),
        "PRIVATE_MEDIA_ROOT": str(work / "private_media"),
    }


def start_gunicorn(env, port, access_log=None):
    """gunicorn as in production; `access_log` receives its log lines (production's JSON lines on
    stdout: the settings route gunicorn's access log there), each request's as "method path µs"."""
    logging = ["--access-logfile", "-", "--access-logformat", "%(m)s %(U)s %(D)s"] if access_log else []
    output = access_log.open("ab") if access_log else None
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            *logging,
        ],
        cwd=ROOT,
        env=env,
        stdout=output,
    )


def main():
    if not shutil.which("wrk"):
        raise SystemExit("The site benchmark needs wrk: apt-get install wrk (make bench does it as root).")
    work = Path(tempfile.mkdtemp(prefix="gbv-bench-"))
    port = free_port()
    env = production_env(work, port)
    python = sys.executable
    for command in (
        ["migrate", "--no-input", "-v", "0"],
        ["load_demo_data"],
        ["collectstatic", "--no-input", "-v", "0"],
    ):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["redis-cli", "-n", "15", "flushdb"], check=False, stdout=subprocess.DEVNULL)
    static_file = next((work / "static" / "css").glob("site.*.css")).name
    server = start_gunicorn(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz")
        targets = [
            ("/ (home page)", "/"),
            ("an article", "/tin-tuc/ra-quan-thang-hanh-dong-2026/"),
            ("the article index", "/tin-tuc/"),
            ("a static file (WhiteNoise)", f"/static/css/{static_file}"),
        ]
        rows = []
        for label, path in targets:
            urllib.request.urlopen(base + path).read()  # noqa: S310 - warm: renditions, page cache
            rows.append((label, *wrk(base + path)))
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)

    static_rate = rows[-1][1]
    print(f"\nAnonymous pages under gunicorn (2 workers), wrk -c{CONNECTIONS} -d{DURATION}, production settings\n")
    print(f"{'what':<30} {'requests/s':>11} {'p50':>9} {'p99':>9} {'vs static':>10} {'errors':>7}")
    print("-" * 81)
    for label, rate, p50, p99, errors in rows:
        print(f"{label:<30} {rate:11.1f} {p50:>9} {p99:>9} {rate / static_rate:10.2f} {errors:7d}")


if __name__ == "__main__":
    main()
