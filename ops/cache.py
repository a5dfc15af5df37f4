"""A Redis cache that is a cache, not a dependency: when Redis fails, the site keeps serving.

`ResilientRedisCache` is Django's RedisCache behind a circuit breaker. The first connection or
timeout error opens the circuit: for `RETRY_SECONDS` every operation goes to a per-process
LocMemCache instead of paying a connect timeout, so allauth's rate limits keep counting (per
process) rather than being switched off. After the interval one request pings Redis; if it
answers, the `shared_cache_recovered` receivers run (the page cache bumps its version: a publish
made during the outage could not) and only then does traffic go back to Redis. No restart.

The outage is logged at WARNING when it starts and at most once a minute while it lasts, per
process; the recovery once. Every backend on one Redis server in a process shares one circuit.

Other code asks `shared_cache_is_available(cache)` (may I trust what every process sees?) and
`cache_status(cache)` ("up", "unavailable" or "not shared", for /healthz).
"""

import logging
import threading
import time
from urllib.parse import urlsplit

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.dispatch import Signal
from django.utils.connection import ConnectionProxy

import redis.exceptions

logger = logging.getLogger(__name__)

# What says "Redis cannot serve" (unreachable, loading, a replica after failover, out of memory),
# as opposed to a programming error (a wrong type, a bad command), which still raises.
REDIS_DOWN = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.ReadOnlyError,
    redis.exceptions.OutOfMemoryError,
)
DEFAULT_RETRY_SECONDS = 5.0
# Redis answers in well under a millisecond on a private network: waiting longer only holds a request.
DEFAULT_SOCKET_TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
WARNING_INTERVAL_SECONDS = 60.0

# Sent (sender: the backend's class; location: the Redis URL) in the process that finds Redis back,
# before any request reads from it again. A receiver that raises a REDIS_DOWN error keeps it down.
shared_cache_recovered = Signal()

UP, UNAVAILABLE, NOT_SHARED = "up", "unavailable", "not shared"


def shown_location(location):
    """host:port of a Redis URL, without the password it may carry."""
    parts = urlsplit(location.split(",")[0])
    return f"{parts.hostname}:{parts.port or 6379}" if parts.hostname else "redis"


class Circuit:
    """The state of one Redis server as this process sees it, shared by its threads."""

    def __init__(self, location, retry_seconds):
        self.location = location
        self.retry_seconds = retry_seconds
        self.lock = threading.Lock()
        self.down_since = None  # time.monotonic() of the first failure; None while Redis answers
        self.retry_at = 0.0
        self.warned_at = None  # kept across outages: a flapping Redis is reported once a minute too
        self.reported = False  # whether this outage was logged (so is its end)
        self.fallbacks = {}  # name → LocMemCache, emptied when Redis is back
        self.recovering = threading.local()  # the thread running the recovery receivers talks to Redis

    @property
    def is_closed(self):
        return self.down_since is None

    def in_recovery(self):
        return getattr(self.recovering, "active", False)

    def trip(self, error):
        """Redis failed: use the fallback until the next try, and say so at most once a minute."""
        with self.lock:
            now = time.monotonic()
            self.retry_at = now + self.retry_seconds
            starting = self.down_since is None
            if starting:
                self.down_since = now
            warn = self.warned_at is None or now - self.warned_at >= WARNING_INTERVAL_SECONDS
            if warn:
                self.warned_at, self.reported = now, True
            down_for = now - self.down_since
        if warn:
            logger.warning(
                "Redis at %s is unreachable (%s: %s)%s; serving from this process's own cache, trying again every %g s.",
                shown_location(self.location),
                type(error).__name__,
                error,
                "" if starting else f" for {down_for:.0f} s",
                self.retry_seconds,
            )

    def lets_through(self, backend):
        """Whether this operation may go to Redis: yes when it answers; when it is down, one try per interval."""
        if self.down_since is None or self.in_recovery():
            return True
        with self.lock:
            if self.down_since is None:
                return True
            now = time.monotonic()
            if now < self.retry_at:
                return False
            self.retry_at = now + self.retry_seconds  # this thread makes the one try; the others keep to the fallback
        return self.try_recovery(backend)

    def try_recovery(self, backend):
        try:
            backend.ping_redis()
            self.recovering.active = True
            try:
                results = shared_cache_recovered.send_robust(sender=type(backend), location=self.location)
            finally:
                self.recovering.active = False
            for receiver, result in results:
                if isinstance(result, REDIS_DOWN):
                    raise result
                if isinstance(result, Exception):
                    logger.error("A shared_cache_recovered receiver failed: %r", receiver, exc_info=result)
        except redis.exceptions.RedisError as error:  # whatever the PING met, Redis is not back
            self.trip(error)
            return False
        with self.lock:
            down_for = time.monotonic() - self.down_since
            reported, self.down_since, self.reported = self.reported, None, False
        # What was counted or stored during the outage must not come back in the next one.
        for fallback in list(self.fallbacks.values()):
            fallback.clear()
        if reported:
            logger.warning("Redis at %s is reachable again after %.0f s.", shown_location(self.location), down_for)
        return True


_circuits = {}
_circuits_lock = threading.Lock()


def circuit_for(location, retry_seconds):
    with _circuits_lock:
        return _circuits.setdefault(location, Circuit(location, retry_seconds))


def forget_outages():
    """Start again as if Redis had always answered (tests that stop and start their own Redis)."""
    with _circuits_lock:
        for circuit in _circuits.values():
            for fallback in circuit.fallbacks.values():
                fallback.clear()
        _circuits.clear()


class ResilientRedisCache(RedisCache):
    """Django's RedisCache that falls back to a per-process cache when Redis does not answer.

    OPTIONS: RETRY_SECONDS (how long an outage is trusted before Redis is tried again, default 5)
    and redis-py's connection options; short socket timeouts unless given.
    """

    def __init__(self, server, params):
        options = {**DEFAULT_SOCKET_TIMEOUTS, **params.get("OPTIONS", {})}
        retry_seconds = float(options.pop("RETRY_SECONDS", DEFAULT_RETRY_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self.location = server if isinstance(server, str) else ",".join(server)
        self._circuit = circuit_for(self.location, retry_seconds)
        fallback_name = f"ops.cache:{self.location}:{params.get('KEY_PREFIX', '')}"
        fallback_params = {
            key: params[key] for key in ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION") if key in params
        }
        self._fallback = self._circuit.fallbacks.setdefault(fallback_name, LocMemCache(fallback_name, fallback_params))

    def ping_redis(self):
        self._cache.get_client(write=True).ping()

    def is_available(self, probe=False):
        """Whether Redis answers now; with probe, a PING checks it (else the circuit's belief, no I/O)."""
        if not self._circuit.lets_through(self):
            return False
        if probe:
            try:
                self.ping_redis()
            except REDIS_DOWN as error:
                self._circuit.trip(error)
                return False
        return True

    def _either(self, method, *args, **kwargs):
        if self._circuit.lets_through(self):
            try:
                return getattr(RedisCache, method)(self, *args, **kwargs)
            except REDIS_DOWN as error:
                if self._circuit.in_recovery():
                    raise  # the recovery itself failed: it must not count as done
                self._circuit.trip(error)
        return getattr(self._fallback, method)(*args, **kwargs)

    def add(self, *args, **kwargs):
        return self._either("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._either("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._either("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._either("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._either("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._either("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._either("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._either("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._either("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._either("delete_many", *args, **kwargs)

    def clear(self):
        self._fallback.clear()
        return self._either("clear")


def backend(cache):
    """The backend behind `django.core.cache.cache` (a proxy to this thread's "default")."""
    return cache._connections[cache._alias] if isinstance(cache, ConnectionProxy) else cache


def shared_cache_is_available(cache):
    """May code rely on `cache` being the one every process sees, right now?

    False only while a ResilientRedisCache's Redis is unreachable (its values are then this
    process's own). A cache that is never shared (LocMemCache in development and tests) is
    always available: it is as shared as the configuration made it.
    """
    cache = backend(cache)
    if isinstance(cache, ResilientRedisCache):
        return cache.is_available()
    return True


def cache_status(cache):
    """For /healthz: "up" (a shared cache answers a PING), "unavailable", or "not shared" (per process)."""
    cache = backend(cache)
    if isinstance(cache, ResilientRedisCache):
        return UP if cache.is_available(probe=True) else UNAVAILABLE
    if isinstance(cache, RedisCache):
        try:
            cache._cache.get_client().ping()
        except REDIS_DOWN:
            return UNAVAILABLE
        return UP
    return NOT_SHARED
