"""The site's own error pages (config/urls.py handler400…500, settings.CSRF_FAILURE_VIEW).

Each speaks the visitor's language (Vietnamese unless English was chosen with the language
cookie) and carries the quick-exit control, on public pages and in the admin alike. 400, 403,
404 and the CSRF failure are full pages of the site; should one of them fail to render (the
database is down, say), and for every 500, a plain page stands in that needs neither the
database nor the template context processors. When the database itself cannot be reached, the
plain page says so with a 503 and Retry-After (ops.outage), not a 500.
"""

import logging
import sys

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cms.middleware import chosen_language
from cms.models import SiteSettings
from ops import storage
from ops.outage import RETRY_AFTER_SECONDS, database_unavailable
from ops.request_id import current_request_id

logger = logging.getLogger(__name__)

# (title, message) of each page. No page says more about what went wrong than a visitor can act on.
PAGES = {
    "bad_request": (
        _("Bad request"),
        _("This site could not read what your browser sent. Go back and try again, or start from the home page."),
    ),
    "permission_denied": (_("Not allowed"), _("Your account does not have access to this page.")),
    "page_not_found": (_("Page not found"), _("The page you asked for does not exist or has moved.")),
    "csrf_failure": (
        _("The form has expired"),
        _(
            "For your safety, a form is accepted only from this site's own page, recently opened. "
            "Go back, reload the page and send the form again. If this happens again, allow cookies for this site."
        ),
    ),
    "server_error": (
        _("Something went wrong"),
        _(
            "Please try again in a few minutes. If the problem continues, contact support "
            "and give them the error code below."
        ),
    ),
    "service_unavailable": (
        _("The site is briefly unavailable"),
        _("What you have already sent is saved. Please try again in a minute."),
    ),
    "storage_unavailable": (
        _("Files are briefly unavailable"),
        _(
            "The file you asked for cannot be fetched or saved right now. Nothing is lost: "
            "please try again in a few minutes."
        ),
    ),
}


def bad_request(request, exception=None):
    return error_page(request, "bad_request", 400)


def permission_denied(request, exception=None):
    return error_page(request, "permission_denied", 403)


def page_not_found(request, exception=None):
    return error_page(request, "page_not_found", 404)


def csrf_failure(request, reason=""):
    # Django's page would explain the reason (a missing Referer, a cookie): no help to a visitor.
    return error_page(request, "csrf_failure", 403)


def server_error(request):
    # The page promises nothing about the error; it gives the code by which support finds the
    # request's log lines and its error report (ops.request_id).
    with translation.override(chosen_language(request)):
        # Django calls this inside its handler of the exception, so it is still the current one.
        if database_unavailable(sys.exc_info()[1]):
            response = plain_error_page(request, "service_unavailable", 503)
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        return plain_error_page(request, "server_error", 500, request_id=current_request_id())


class StorageUnavailableMiddleware:
    """The object storage down (ops.storage) is a 503 with Retry-After in the site's layout, not a
    500: a certificate or a document download, an upload in the admin. Pages that only show
    images never get here (Wagtail shows an image it cannot read as missing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not storage.storage_unavailable(exception):
            return None
        logger.warning("The object storage failed a request: %s: %s", type(exception).__name__, exception)
        response = error_page(request, "storage_unavailable", 503)
        response["Retry-After"] = str(storage.RETRY_AFTER_SECONDS)
        return response


def error_page(request, page, status):
    title, message = PAGES[page]
    with translation.override(chosen_language(request)):
        try:
            html = render_to_string("errors/error.html", {"title": title, "message": message}, request=request)
        except Exception:
            # The full page reads the site's settings, menus and footer from the database.
            logger.exception("The %s page could not be rendered in full; the plain one stands in.", status)
            return plain_error_page(request, page, status)
        return HttpResponse(html, status=status)


def plain_error_page(request, page, status, request_id=None):
    title, message = PAGES[page]
    site_settings = site_settings_or_defaults(request)
    context = {
        "title": title,
        "message": message,
        "site_name": site_settings.organisation_name,
        "quick_exit_url": site_settings.quick_exit_url or SiteSettings().quick_exit_url,
        "stylesheet": static_or_none("css/site.css"),
        "quick_exit_script": static_or_none("js/quick-exit.js"),
        "request_id": request_id,
    }
    # Rendered without the request, so no context processor runs.
    return HttpResponse(render_to_string("errors/plain.html", context), status=status)


def site_settings_or_defaults(request):
    """The site's settings (its quick-exit target above all), or the built-in ones when they
    cannot be read: the database or the cache may be what failed."""
    try:
        return SiteSettings.for_request(request)
    except Exception:
        return SiteSettings()  # unsaved: the model's defaults, no query


def static_or_none(path):
    try:
        return static(path)
    except Exception:  # a missing entry in the static files manifest
        return None
