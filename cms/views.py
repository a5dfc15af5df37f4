from django.conf import settings
from django.db.models import F
from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from cms.models import MaterialDownloadCount, MaterialFile, ServiceProvider
from cms.search import search_words
from cms.url_prefixes import PRIVATE_PREFIXES


@require_safe
def choose_language(request):
    """Switch language with a plain link, so public pages carry no form and can be cached whole.

    Django's set_language wants a POST (and so a CSRF cookie on every page); choosing a
    language changes nothing but how this visitor's pages read, so a GET link is enough.
    """
    language = request.GET.get("language", "")
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


@require_safe
def download_material_file(request, file_id):
    """Count a download of a material's file, then hand over the document itself."""
    material_file = get_object_or_404(
        MaterialFile.objects.select_related("document", "page"), pk=file_id, page__live=True
    )
    MaterialFile.objects.filter(pk=file_id).update(downloads=F("downloads") + 1)
    MaterialDownloadCount.count_download(material_file.page_id, timezone.localdate().year)
    return HttpResponseRedirect(material_file.document.url)


@require_safe
def search(request):
    """Site search over articles, campaigns, materials and pages (Wagtail search).

    The backend (cms.search) searches for the words in the query, never its syntax.
    """
    query = " ".join(request.GET.get("q", "").split())[:200]
    results = None
    if search_words(query):
        pages = Page.objects.live().specific().search(query, operator="and")
        providers = get_search_backend().search(query, ServiceProvider)
        results = {"pages": list(pages[:50]), "providers": list(providers[:20])}
    return TemplateResponse(request, "cms/search.html", {"query": query, "results": results})


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever a page links to: send them on to the site's icon."""
    return HttpResponsePermanentRedirect(static("icons/favicon.ico"))


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        *(f"Disallow: {prefix}" for prefix in PRIVATE_PREFIXES),
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
