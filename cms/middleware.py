from django.conf import settings
from django.core.exceptions import BadRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.deprecation import MiddlewareMixin


def chosen_language(request):
    """The language this visitor chose with the language switch, or Vietnamese."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Vietnamese unless the visitor chose English with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an official whose
    phone is set to English would get English pages; the programme's language is Vietnamese.
    """

    def process_request(self, request):
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()


class AdminContentSecurityPolicyMiddleware:
    """Give the Wagtail admin the policy it needs: still this site only, with inline code.

    Wagtail's admin templates carry inline scripts and styles without a nonce; the public
    site keeps the strict SECURE_CSP. Sits inside Django's CSP middleware, which reads
    `response._csp_config` on its way out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/admin/"):
            response._csp_config = settings.ADMIN_CSP
        return response


class RejectNulCharacterMiddleware:
    """Answer the 400 page when the path, a query parameter, a form's text field or a cookie holds NUL.

    No page has a use for NUL, and PostgreSQL cannot store or even look one up (a 500 wherever
    it reached a query), so it is refused once, here, rather than in each view. Cookies too:
    a quoted cookie value may spell NUL as `\000`, and the session middleware would look that
    key up. Uploaded files are not looked at: an XLSX is a ZIP and holds NULs. Sits before the
    page cache, so a refused request is never looked up or stored there, and after the
    language middleware, so the 400 page speaks the visitor's language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._holds_nul(request):
            raise BadRequest("A NUL character in the path, the query string, a form field or a cookie.")
        return self.get_response(request)

    @staticmethod
    def _holds_nul(request):
        if "\x00" in request.path_info or "\x00" in request.path:
            return True
        if any("\x00" in name or "\x00" in value for name, value in request.COOKIES.items()):
            return True
        # request.POST holds the text fields of a urlencoded or multipart body; files are apart.
        for data in (request.GET, request.POST):
            for name, values in data.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    return True
        return False


def is_personal(request):
    """Whether an answer may hold something of one person's: the request carries a session, or
    its user is signed in (also one who signed in during this request, before the cookie is set).

    The one rule for "private" answers: PrivateResponseMiddleware marks them, and the anonymous
    page cache never stores them (cms.page_cache).
    """
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return True
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


class PrivateResponseMiddleware:
    """`Cache-Control: private, no-store` on every answer to a signed-in user (or a session).

    Merged into what a view set (Wagtail's and Django's never_cache keep their directives; a
    `public` gives way), so no browser disk, proxy or shared cache keeps a page of one person's.
    Sits just inside WhiteNoise (static files stay cacheable) and outside everything that may
    answer for a signed-in user: the session, the 400 for a NUL, CSRF failures, views, errors.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_personal(request):
            patch_cache_control(response, private=True, no_store=True)
        return response


def permissions_policy_header(policy):
    """{"camera": [], "fullscreen": ["self"]} → 'camera=(), fullscreen=(self)'."""

    def allowlist(origins):
        return " ".join("self" if origin == "self" else f'"{origin}"' for origin in origins)

    return ", ".join(f"{feature}=({allowlist(origins)})" for feature, origins in policy.items())


class PermissionsPolicyMiddleware:
    """Send settings.PERMISSIONS_POLICY on every answer: pages, files, redirects and errors.

    Outermost, so the answers WhiteNoise, the page cache and the error handlers give carry it too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", permissions_policy_header(settings.PERMISSIONS_POLICY))
        return response


class PageMethodMiddleware(MiddlewareMixin):
    """Answer a method a page does not take with 405 and its Allow header, before CSRF answers 403.

    Which methods a page takes is Wagtail's `allowed_http_methods` (cms.models.BasePage), which
    Wagtail checks when it serves the page, after CsrfViewMiddleware. This asks the same page
    first, for all but GET and HEAD: a PUT, PATCH, DELETE or OPTIONS gets 405 from any client.
    The route is remembered on the request, so serving the page does not look it up again.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        from wagtail.models import Page
        from wagtail.views import serve

        if view_func is not serve or request.method in ("GET", "HEAD"):
            return None
        route = Page.route_for_request(request, view_args[0] if view_args else view_kwargs.get("path", ""))
        if route is None:
            return None
        page, args, kwargs = route
        return page.check_request_method(request, *args, **kwargs)
