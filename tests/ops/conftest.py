"""A real Redis of the tests' own on a loopback port, which a test may stop and start again."""

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis

from ops.cache import forget_outages

PORTS = range(6392, 6400)  # loopback ports kept for these tests; never the machine's own 6379


def port_is_open(port):
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class RedisServer:
    def __init__(self, directory, port):
        self.directory, self.port = directory, port
        self.pidfile = directory / "redis.pid"
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self):
        subprocess.run(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "yes", "--pidfile", str(self.pidfile), "--dir", str(self.directory),
             "--logfile", str(self.directory / "redis.log")],
            check=True,
        )  # fmt: skip
        self.wait_until(lambda: port_is_open(self.port) and self.pidfile.exists(), "start")

    def stop(self, keep_data=False):
        """Kill it as a crash would (SIGKILL by its pid), and wait until the port is closed.

        keep_data: its keys come back on the next start (a SAVE first), as with a Redis that
        persists them or one that was only cut off from the app servers.
        """
        dump = self.directory / "dump.rdb"
        if keep_data:
            redis.Redis(port=self.port).save()
        pid = int(self.pidfile.read_text())
        os.kill(pid, signal.SIGKILL)
        self.pidfile.unlink()
        self.wait_until(lambda: not port_is_open(self.port), "stop")
        if not keep_data:
            dump.unlink(missing_ok=True)

    @property
    def running(self):
        return self.pidfile.exists()

    @staticmethod
    def wait_until(condition, what):
        for _ in range(100):
            if condition():
                return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not {what}")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is needed (Debian package redis-server)")
    # Each pytest-xdist worker looks from its own place in the range: two never race for one port.
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    start = worker * 4 % len(PORTS)
    port = next((port for port in [*PORTS[start:], *PORTS[:start]] if not port_is_open(port)), None)
    if port is None:
        pytest.fail(f"every port of {PORTS} is taken")
    server = RedisServer(tmp_path_factory.mktemp("redis"), port)
    server.start()
    yield server
    if server.running:
        server.stop()


@pytest.fixture
def redis_cache(settings, redis_server):
    """The production cache layout on the tests' own Redis: the resilient backend for "default"
    and "renditions", a short retry interval so recovery shows within a test; sessions in the
    database as production keeps them. Redis runs at the start and at the end of each test."""
    if not redis_server.running:
        redis_server.start()
    forget_outages()
    options = {"RETRY_SECONDS": 0.3}
    settings.CACHES = {
        "default": {"BACKEND": "ops.cache.ResilientRedisCache", "LOCATION": redis_server.url, "OPTIONS": options},
        "renditions": {
            "BACKEND": "ops.cache.ResilientRedisCache",
            "LOCATION": redis_server.url,
            "KEY_PREFIX": "renditions",
            "OPTIONS": options,
        },
        "worker": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "worker"},
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    from django.core.cache import caches

    caches["default"].clear()
    caches["worker"].clear()
    yield redis_server
    if not redis_server.running:
        redis_server.start()
    caches["default"].clear()
    forget_outages()
