"""Whole-page cache for anonymous visitors, keyed by host, path, query and language.

A campaign month's traffic is mostly anonymous and the pages carry nothing personal, so a
rendered page is served again from the cache. Any publish, unpublish, move or delete of a page,
and any change to the settings, snippets, images or documents pages show, bumps one version
number: every cached page is dropped at once, so a visitor never gets a stale page.

While the shared cache (Redis) is unreachable the page cache is bypassed: pages and remembered
values are built afresh, since a per-process copy would serve a page another process has since
unpublished. A publish during the outage cannot bump the version in Redis, so each process that
finds Redis back bumps it before reading from it again (ops.cache.shared_cache_recovered). A
PAGE_CACHE_SECONDS of 0 switches the page cache off (production without Redis).
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache, caches
from django.utils import translation
from django.utils.cache import get_max_age, has_vary_header, patch_vary_headers
from django.utils.http import split_header_value

from cms.middleware import is_personal
from cms.url_prefixes import UNCACHED_PREFIXES
from ops.cache import shared_cache_is_available

VERSION_KEY = "page-cache:version"


def current_version():
    """The shared version, or None when nothing may be cached (shared cache down, page cache off)."""
    if settings.PAGE_CACHE_SECONDS <= 0 or not shared_cache_is_available(cache):
        return None
    # Numbered from the clock, not from 1: after the shared cache is flushed or restarted, no
    # version comes back that a worker may still hold values for.
    version = cache.get_or_set(VERSION_KEY, time.time_ns, timeout=None)
    # Redis may have failed during the lookup: then the number is this process's own.
    return version if shared_cache_is_available(cache) else None


def version_for(request):
    """The version, read once per request: a page asks for several remembered values."""
    if request is None:
        return current_version()
    if not hasattr(request, "_page_cache_version"):
        request._page_cache_version = current_version()
    return request._page_cache_version


def drop_all_pages(**_kwargs):
    """Make every cached page unreachable (signal receiver)."""
    if not shared_cache_is_available(cache):
        return  # nothing is cached meanwhile, and the version is bumped when Redis is back
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def bump_after_outage(**_kwargs):
    """Redis is back (ops.cache.shared_cache_recovered): pages cached before the outage may be stale."""
    drop_all_pages()


def is_cacheable_request(request):
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.path.startswith(UNCACHED_PREFIXES)
    )


def cache_key(request):
    raw = "|".join((request.get_host(), request.get_full_path(), translation.get_language(), str(version_for(request))))
    return "page-cache:" + hashlib.sha256(raw.encode()).hexdigest()


class AnonymousPageCacheMiddleware:
    """Serve anonymous GETs of public pages from the cache; store what may be stored.

    Sits after the language is chosen and inside the CSP middleware, so each answer still gets
    its own security headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_cacheable_request(request):
            return self.get_response(request)
        if version_for(request) is None:
            return self.get_response(request)
        key = cache_key(request)
        cached = cache.get(key)
        if cached is not None:
            self.tell_status(cached, "hit")
            return cached
        response = self.get_response(request)
        if self.is_cacheable_response(request, response):
            if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
                response.render()
            # The language comes from a cookie: a shared cache downstream must not mix them.
            patch_vary_headers(response, ("Cookie",))
            cache.set(key, response, timeout=self.timeout(response))
            self.tell_status(response, "miss")
        return response

    @staticmethod
    def timeout(response):
        """PAGE_CACHE_SECONDS, or less when the page says so with a shorter max-age (a page of live
        figures, such as the programme page): a page is never served older than it allows."""
        max_age = get_max_age(response)
        return settings.PAGE_CACHE_SECONDS if max_age is None else min(max_age, settings.PAGE_CACHE_SECONDS)

    @staticmethod
    def tell_status(response, status):
        # Tests and development only: in production a "hit" would tell a visitor what others read.
        if settings.PAGE_CACHE_STATUS_HEADER:
            response["X-Page-Cache"] = status

    @staticmethod
    def is_cacheable_response(request, response):
        """Only a page built for nobody in particular: checked on what was built, not on the request.

        Whatever the request looked like, a page rendered for a signed-in user or a session (the
        rule PrivateResponseMiddleware marks by), marked private, no-store or no-cache, setting a
        cookie, or varying on one is never stored.
        """
        cache_control = {field.split("=")[0].lower() for field in split_header_value(response.get("Cache-Control", ""))}
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and response.get("Content-Type", "").startswith("text/html")
            and not cache_control & {"private", "no-store", "no-cache"}
            and not has_vary_header(response, "Cookie")
            and not has_vary_header(response, "*")
            and not is_personal(request)
        )


def remember(request, key, compute):
    """A value computed once per version of the content (menus, breadcrumbs, footer, settings).

    A versioned value never changes, so each worker keeps a copy too ("worker" cache): past the
    first request, a page's menu, footer and settings cost no round trip to the shared cache.
    With no version (shared cache down) the value is computed each time.
    """
    value = recall(request, key)
    if value is None:
        value = compute()
        keep(request, key, value)
    return value


def recall(request, key):
    """What `keep` stored under this key for the current version of the content, or None."""
    version = version_for(request)
    if version is None:
        return None
    versioned_key = f"page-cache:{version}:{key}"
    value = caches["worker"].get(versioned_key)
    if value is None:
        value = cache.get(versioned_key)
        if value is not None:
            caches["worker"].set(versioned_key, value, timeout=settings.PAGE_CACHE_SECONDS)
    return value


def keep(request, key, value):
    """Store a value that holds until the content changes (see remember); nothing without a version."""
    version = version_for(request)
    if version is None or value is None:
        return
    versioned_key = f"page-cache:{version}:{key}"
    cache.set(versioned_key, value, timeout=settings.PAGE_CACHE_SECONDS)
    caches["worker"].set(versioned_key, value, timeout=settings.PAGE_CACHE_SECONDS)
