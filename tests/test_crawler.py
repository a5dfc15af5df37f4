"""No input gives a server error: every URL pattern and every demo page, as every role, with hostile values.

For each URL, role and hostile value: one GET with every parameter the view reads (the path's, the
common ones, the view's filter and form fields, a made-up one, a repeated one) set to the value at
once, and one POST of the value into every field of the page's own forms. Any 5xx fails, listed
as (role, method, URL, status) for the whole URL at once. The same walk checks the headers every
response must carry (issue 12 item 7).

How the walk stays within about five minutes per database is written in docs/decisions.md
(issue 12): every value for anonymous visitors and administrators, a rotating share for the others.
"""

import io
import re
from html.parser import HTMLParser
from urllib.parse import unquote_to_bytes, urlsplit

from django.core.management import call_command
from django.db import transaction
from django.test import Client, TestCase
from django.urls import Resolver404, resolve
from django.utils.encoding import repercent_broken_unicode

from wagtail.models import get_page_models

import pytest

from tests.url_catalogue import all_routes

# Raw, as they go on the wire: the client percent-decodes the path and passes the query string as is.
HOSTILE = {
    "nul": "%00",
    "quote": "%22",
    "open-quote": "%22abc",
    "minus": "-",
    "or": "OR",
    "star": "*",
    "long": "x" * 10_000,
    "bad-percent": "%zz",
    "cut-utf8": "%e2%82",
    "not-utf8": "%ff%fe",
    "word": "abc",
    "negative": "-1",
    "huge": "99999999999999999999",
    "unknown-choice": "no-such-choice",
}
VALUES = list(HOSTILE.values())
VALUE_NAMES = {value: name for name, value in HOSTILE.items()}

# Names that listing pages, filters and redirects commonly read, plus ones no view knows.
COMMON_PARAMETERS = [
    "q", "p", "page", "ordering", "order", "sort", "tag", "area", "audience", "type", "course", "unit",
    "status", "export", "next", "language", "code", "collection_id", "per_page", "format", "id", "pk",
    "date_from", "date_to", "period", "courses", "completed", "staff_category", "material_type",
    "provider_type", "ward", "year", "locale", "filter", "search", "made_up_parameter", "zz[]",
]  # fmt: skip
REPEATED_PARAMETERS = ["page", "q", "tag", "made_up_parameter"]
EXPORT_LINK = re.compile(r"[?&;]export=(\w+)")

# Values that test the same thing; a walk that cannot send them all sends one of each kind.
VALUE_KINDS = [
    [HOSTILE["nul"]],
    [HOSTILE["long"]],
    [HOSTILE[name] for name in ("quote", "open-quote", "minus", "or", "star")],
    [HOSTILE[name] for name in ("bad-percent", "cut-utf8", "not-utf8")],
    [HOSTILE[name] for name in ("negative", "huge")],
    [HOSTILE[name] for name in ("word", "unknown-choice")],
]

ROLES = ["anonymous", "learner", "editor", "moderator", "manager", "administrator"]
EVERY_VALUE_ROLES = {"anonymous", "administrator"}
KINDS_PER_OTHER_ROLE = 2
KINDS_FOR_WAGTAIL = 4
# A form with more fields than this (Wagtail's group form has one per permission) gets the value in
# the first ones only: each POST would otherwise carry megabytes.
MOST_POSTED_FIELDS = 100

# POSTs that would destroy or lock the fixture data the rest of the walk needs, or sign the user out.
DESTRUCTIVE_WORDS = [
    "delete", "unpublish", "revert", "revoke", "reissue", "logout", "deactivate", "disable", "move",
    "lock", "convert_alias", "unschedule", "remove", "bulk", "workflow/action", "set_position", "enable",
    "password/change", "password/set", "email/", "recovery-codes/generate",
]  # fmt: skip

# Wagtail's "failwhale" page raises on purpose, so that administrators can test error reporting.
DELIBERATE_SERVER_ERRORS = {"wagtailadmin_error_test"}
ROUTES = [route for route in all_routes() if route.name not in DELIBERATE_SERVER_ERRORS]


def route_id(route):
    return route.name or route.pattern


# ---------------------------------------------------------------------------------------------------
# The demo site, loaded once for the module and rolled back after it.


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        # Certificates are issued on commit: run those callbacks, as a real load would.
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("load_demo_data", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


DEMO_ACCOUNTS = {
    "learner": "hocvien1@example.org",
    "editor": "bientap@example.org",
    "moderator": "kiemduyet@example.org",
    "manager": "quanly.phuong@example.org",  # a ward manager, with a ManagerScope on the ward
    "administrator": "quantri@example.org",
}


def sign_in(role):
    """A client signed in as the demo account of `role`; staff past the second factor, as conftest does."""
    from accounts.models import User
    from tests.conftest import sign_in_past_second_factor

    client = Client(raise_request_exception=False)
    user = User.objects.get(email=DEMO_ACCOUNTS[role])
    if role == "learner":
        client.force_login(user)
    else:
        sign_in_past_second_factor(client, user)
    return client


def still_signed_in(client):
    from django.conf import settings
    from django.contrib.sessions.models import Session

    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie is not None and Session.objects.filter(session_key=cookie.value).exists()


@pytest.fixture(scope="module")
def module_clients(demo_site, django_db_blocker):
    # Signed in once for the module (the sessions outlive each test's rollback), for speed.
    with django_db_blocker.unblock():
        clients = {"anonymous": Client(raise_request_exception=False)} | {role: sign_in(role) for role in DEMO_ACCOUNTS}
        # A walk of login redirects would prove nothing: each role must be where it should be.
        for role, client in clients.items():
            home = "/admin/" if role not in ("anonymous", "learner") else "/my/"
            assert client.get(home).status_code == (302 if role == "anonymous" else 200), role
        return clients


@pytest.fixture
def clients(module_clients, db):
    """A client per role. A test whose requests replaced a session (its rollback drops the new
    one) leaves a client signed out: sign it in again rather than walk on as an anonymous visitor."""
    for role in DEMO_ACCOUNTS:
        if not still_signed_in(module_clients[role]):
            module_clients[role] = sign_in(role)
    return module_clients


# ---------------------------------------------------------------------------------------------------
# Real objects for path parameters a hostile value does not fit.


def real_values():
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    from certificates.models import Certificate
    from cms.models import ArticlePage, MaterialFile

    article = ArticlePage.objects.live().order_by("pk").first()
    certificate = Certificate.objects.order_by("pk").first()
    document = get_document_model().objects.order_by("pk").first()
    image = get_image_model().objects.order_by("pk").first()
    page_id = str(article.pk)
    return {
        "page_id": page_id,
        "parent_page_id": str(article.get_parent().pk),
        "page_to_move_id": page_id,
        "destination_id": str(article.get_parent().pk),
        "page_pk": page_id,
        "revision_id": str(article.latest_revision_id),
        "revision_id_a": "live",
        "revision_id_b": str(article.latest_revision_id),
        "document_id": str(document.pk),
        "doc_id": str(document.pk),
        "image_id": str(image.pk),
        "collection_id": str(Collection.get_first_root_node().pk),
        "file_id": str(MaterialFile.objects.order_by("pk").first().pk),
        "serial_slug": certificate.serial_slug,
        "code": certificate.code,
        "app_label": "cms",
        "app_name": "cms",
        "model_name": "articlepage",
        "content_type_app_name": "cms",
        "content_type_model_name": "articlepage",
        "action_name": "approve",
        "action": "delete",
        "filter_spec": "original",
        "object_id": page_id,
    }


def view_model(route):
    """The model a viewset's view works on, to find a real pk for it."""
    url = route.fill(lambda name, converter: "1" if converter in ("int", "regex") else "cms")
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    view_class = getattr(match.func, "view_class", None)
    model = getattr(match.func, "view_initkwargs", {}).get("model") or getattr(view_class, "model", None)
    return model if isinstance(model, type) else None


def real_parameters(route, reals):
    """The route's path parameters, in fill() order, with values that find real objects."""
    reals = dict(reals)
    if "pk" in route.pattern and (model := view_model(route)) is not None:
        pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        reals["pk"] = str(pk if pk is not None else 1)
    if route.pattern.startswith("admin/settings/"):
        reals["model_name"] = "sitesettings"
    elif route.pattern.startswith("admin/tag-autocomplete/"):
        reals.update(app_name="taggit", model_name="tag")
    elif route.pattern.startswith("admin/editing-sessions/"):
        reals.update(app_label="wagtailcore", model_name="page")
    unnamed = iter([reals["document_id"], "file.pdf"])  # documents/^(\d+)/(.*)$, the one route with two
    values = []
    route.fill(lambda name, converter: values.append(reals.get(name, "1") if name else next(unnamed, "")))
    return values


def fill(route, values):
    """The URL of `route` with its parameters, in order, set to `values`."""
    if route.name == "wagtail_serve":
        return f"/{values[0]}/" if values[0] else "/"
    if route.pattern == "admin/^.*/$":
        return f"/admin/{values[0] if values else 'no-such-admin-page'}/"
    remaining = iter(values)
    return route.fill(lambda name, converter: next(remaining))


def decoded_path(url):
    """The path as Django sees it (percent-decoded, broken UTF-8 re-quoted), to resolve it."""
    return repercent_broken_unicode(unquote_to_bytes(urlsplit(url).path)).decode()


def reaches(url, route):
    try:
        match = resolve(decoded_path(url))
    except (Resolver404, UnicodeDecodeError):
        return False
    return match.view_name == route.name if route.name else match._func_path == route.view


def hostile_url(route, value, real):
    """The route's URL with each path parameter that accepts `value` set to it, the others real."""
    if not real:
        return fill(route, [value]) if route.pattern == "admin/^.*/$" else fill(route, [])
    if route.name == "wagtail_serve":
        return fill(route, [value])
    chosen = list(real)
    for index in range(len(real)):
        trial = [value if position == index else part for position, part in enumerate(real)]
        if reaches(fill(route, trial), route):
            chosen[index] = value
    url = fill(route, chosen)
    return url if reaches(url, route) else fill(route, real)


# ---------------------------------------------------------------------------------------------------
# What a page offers: the names of its own GET and POST forms' fields.


class FormFields(HTMLParser):
    def __init__(self, path):
        super().__init__()
        self.path = path
        self.get_names, self.post_names = set(), set()
        self.form = None  # "get" or "post" while inside a form that submits to this page

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = urlsplit(attrs.get("action") or "").path
            # Its own forms; Wagtail's listings send their filters to the page's "results/".
            self.form = (
                (attrs.get("method") or "get").lower() if action in ("", self.path, f"{self.path}results/") else None
            )
        elif tag in ("input", "select", "textarea", "button") and self.form and attrs.get("name"):
            name = attrs["name"]
            if name != "csrfmiddlewaretoken":
                (self.post_names if self.form == "post" else self.get_names).add(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None


def is_page(response):
    """An HTML page, not a download (an export streams its file)."""
    return response.status_code == 200 and not response.streaming and "html" in response.get("Content-Type", "")


def form_fields(response, path):
    parser = FormFields(path)
    if is_page(response):
        parser.feed(response.content.decode(errors="replace"))
    return parser.get_names, parser.post_names


def filter_names(route, url):
    """The names of the view's filterset fields, where the view declares one."""
    try:
        match = resolve(decoded_path(url))
    except Resolver404:
        return set()
    view_class = getattr(match.func, "view_class", None)
    filterset = getattr(match.func, "view_initkwargs", {}).get("filterset_class") or getattr(
        view_class, "filterset_class", None
    )
    return set(getattr(filterset, "base_filters", {}))


def query_string(names, value):
    pairs = [f"{name}={value}" for name in sorted(names)]
    pairs += [f"{name}={value}" for name in REPEATED_PARAMETERS]
    return "&".join(pairs)


# ---------------------------------------------------------------------------------------------------
# The walk.


class Walk:
    def __init__(self, clients):
        self.clients = clients
        self.server_errors = []
        self.missing_headers = []

    def request(self, role, method, url, body=None, value=None):
        client = self.clients[role]
        # Each request in a savepoint, as each has its own transaction in production: a database
        # error (PostgreSQL then refuses every query until a rollback) is this request's alone.
        with transaction.atomic():
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, body, content_type="application/x-www-form-urlencoded")
            if response.status_code >= 500:
                transaction.set_rollback(True)
        shown = urlsplit(url).path[:120]
        if value is not None:
            # Which value, not the 40 parameters that carried it: "/search/ ?*=%22".
            shown += f" {'?' if method == 'GET' else 'form'} *={VALUE_NAMES[value]}"
            if method == "GET" and (export := re.search(r"&(export=\w+)$", url)):
                shown += f" {export[1]}"
        if response.status_code >= 500:
            error = response.exc_info[1] if response.exc_info else None
            cause = f"{type(error).__name__}: {str(error)[:100]}" if error else ""
            self.server_errors.append((role, method, shown, response.status_code, cause))
        # Issue 12 item 7, being implemented by "headers": private responses never cached,
        # and a Permissions-Policy on every response.
        cache_control = response.get("Cache-Control", "")
        if role != "anonymous" and not ("private" in cache_control and "no-store" in cache_control):
            self.missing_headers.append((role, method, shown, "Cache-Control: private, no-store"))
        if not response.has_header("Permissions-Policy"):
            self.missing_headers.append((role, method, shown, "Permissions-Policy"))
        return response

    def visit(self, role, values, clean_url, url_for_value, names_for_url, may_post):
        """A clean GET to learn the page's forms, then one GET and one POST per hostile value."""
        clean_path = urlsplit(clean_url).path
        response = self.request(role, "GET", clean_url)
        get_names, post_names = form_fields(response, clean_path)
        if response.status_code == 403 or "login" in response.get("Location", ""):
            values = values[:1]  # turned away at the door: the view never reads the values
        names = set(COMMON_PARAMETERS) | names_for_url | get_names
        # A page that offers downloads (`?export=csv`) also exports with the hostile filters.
        page = response.content.decode(errors="replace") if is_page(response) else ""
        formats = sorted(set(EXPORT_LINK.findall(page)))
        for index, value in enumerate(values):
            url = url_for_value(value)
            self.request(role, "GET", f"{url}?{query_string(names, value)}", value=value)
            if formats:
                export = f"export={formats[index % len(formats)]}"
                self.request(role, "GET", f"{url}?{query_string(names - {'export'}, value)}&{export}", value=value)
            if may_post and post_names:
                body = "&".join(f"{name}={value}" for name in sorted(post_names)[:MOST_POSTED_FIELDS])
                self.request(role, "POST", url, body, value=value)

    def assert_clean(self):
        if self.server_errors:
            listed = "\n".join(map(repr, self.server_errors))
            pytest.fail(f"{len(self.server_errors)} server errors (role, method, URL, status, cause):\n{listed}")
        if self.missing_headers:
            listed = "\n".join(map(repr, self.missing_headers[:100]))
            pytest.fail(f"{len(self.missing_headers)} responses without a header:\n{listed}")


def values_for(role, position, ours):
    """The hostile values `role` sends to the URL at `position` (see docs/decisions.md, issue 12).

    To our own views and pages, administrators and anonymous visitors send every value and the
    other roles two kinds; to Wagtail's own views, administrators send four kinds (NUL and three
    others), the other roles one. The choice rotates along the routes, so that every value
    reaches every role somewhere.
    """
    shift = position + ROLES.index(role)
    one_of_each_kind = [kind[shift % len(kind)] for kind in VALUE_KINDS]
    rotated = one_of_each_kind[shift % len(VALUE_KINDS) :] + one_of_each_kind[: shift % len(VALUE_KINDS)]
    if role in EVERY_VALUE_ROLES:
        if ours:
            return VALUES
        others = [value for value in rotated if value != HOSTILE["nul"]]
        return [HOSTILE["nul"], *others[: KINDS_FOR_WAGTAIL - 1]]
    return rotated[: KINDS_PER_OTHER_ROLE if ours else 1]


def is_ours(route):
    """Our views, and allauth's that run our adapter and forms; Wagtail's and Django's own are not."""
    return not route.view.startswith(("wagtail.", "django.")) or route.name == "wagtail_serve"


def may_post(text):
    return not any(word in text for word in DESTRUCTIVE_WORDS)


@pytest.mark.parametrize(("position", "route"), list(enumerate(ROUTES)), ids=[route_id(route) for route in ROUTES])
def test_every_url_answers_hostile_values_without_a_server_error(clients, position, route):
    walk = Walk(clients)
    reals = real_values()
    real = real_parameters(route, reals)
    clean_url = fill(route, real)
    names = filter_names(route, clean_url)
    for role in ROLES:
        walk.visit(
            role,
            values_for(role, position, is_ours(route)),
            clean_url,
            lambda value: hostile_url(route, value, real),
            names,
            may_post(route.pattern + (route.name or "")),
        )
    walk.assert_clean()


PAGE_TYPES = sorted(get_page_models(), key=lambda model: model._meta.label)


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=[model._meta.label for model in PAGE_TYPES])
def test_every_demo_page_answers_hostile_values_without_a_server_error(clients, page_type):
    pages = [page for page in page_type.objects.live().exact_type(page_type) if page.url]
    walk = Walk(clients)
    for position, page in enumerate(pages):
        url = page.url
        for role in ROLES:
            # A page's own path takes no parameters: the values go into its query and forms. Pages
            # of one type run the same code: the first takes every value, the others some.
            values = values_for(role, position, ours=position == 0)
            walk.visit(role, values, url, lambda value, url=url: url, set(), True)
    walk.assert_clean()
