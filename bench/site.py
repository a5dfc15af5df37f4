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
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.results import record

ROOT = Path(__file__).resolve().parent.parent
DURATION, CONNECTIONS, THREADS = "10s", 8, 2
# A page not in the cache, the first view after a publish: issue 17's aim for its p50, in ms.
UNCACHED_AIM, UNCACHED_VIEWS, UNCACHED_WARM_UP = 30, 100, 10
PAGE_CACHE_VERSION_KEY = ":1:page-cache:version"  # cms.page_cache.VERSION_KEY as Django's Redis cache names it


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


def wrk(url, script=None, duration=DURATION, connections=CONNECTIONS):
    extra = ["-s", str(script)] if script else []
    threads = min(THREADS, connections)
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}", "--latency", *extra, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, percentiles.get("50", "?"), percentiles.get("99", "?"), int(errors.group(1)) if errors else 0


def milliseconds(duration):
    """wrk's "812.00us", "5.12ms" or "1.02s" in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", duration).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


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


def database_of(env):
    """The database of a benchmark's environment as bench.results names it."""
    return "postgresql" if env["DATABASE_URL"].startswith("postgres") else "sqlite"


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
        uncached = {label: first_view_after_publish(base + path, env["REDIS_URL"]) for label, path in targets[:2]}
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

    print(f"\nNot in the cache: the first view after a publish, one at a time ({UNCACHED_VIEWS} views each)\n")
    print(f"{'what':<30} {'cached p50':>11} {'uncached p50':>13} {'uncached p99':>13} {'aim':>9}")
    print("-" * 80)
    for label, _rate, p50, _p99, _errors in rows[:2]:
        median, slow = uncached[label]
        print(f"{label:<30} {p50:>11} {median:10.1f} ms {slow:10.1f} ms {f'< {UNCACHED_AIM} ms':>9}")
        record(
            f"{label}, anonymous, not cached, p50",
            round(median, 2),
            "ms",
            aim=f"< {UNCACHED_AIM} ms",
            floor=f"cached p50 {p50} (wrk -c{CONNECTIONS})",
            passed=median < UNCACHED_AIM,
            database=database_of(env),
        )


def first_view_after_publish(url, redis_url):
    """Milliseconds of views of `url` each right after the page cache is dropped as a publish drops
    it (cms.page_cache.drop_all_pages: the version moves, so pages, menus, settings and routes
    remembered under the old one are all built again): (median, 99th percentile)."""
    import redis

    shared = redis.Redis.from_url(redis_url)
    times = []
    for view in range(UNCACHED_VIEWS + UNCACHED_WARM_UP):
        shared.incr(PAGE_CACHE_VERSION_KEY)
        started = time.perf_counter()
        with urllib.request.urlopen(url) as response:  # noqa: S310 - our own local server
            response.read()
        if view >= UNCACHED_WARM_UP:  # past each worker's first templates and imports
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


if __name__ == "__main__":
    main()
