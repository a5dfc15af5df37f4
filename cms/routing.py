"""Serving a page without walking the page tree on every request.

Wagtail finds the site (one query), fetches its root page as its own type (one more), walks down
one level per path segment (a query or two each) and reads the view restrictions of the page and
its ancestors (two more): six to ten queries before a view starts, for an answer that changes only
when content does. Any publish, unpublish, move, save or delete of a page, and any change to a
site or a view restriction, bumps the page cache's version (cms.apps), so the site and the routed
page (with its ancestors and restrictions) are remembered per version, like the menus
(cms.page_cache.remember): the first request after a change walks the tree, the others do not.

Only pages found are remembered, under the path that names them, so the keys are bounded by the
pages there are; unknown paths and a page's sub-routes (a course's enrol/) are walked as before.
With the shared cache down there is no version and everything is looked up afresh.
"""

from django.http.request import split_domain_port
from django.utils.deprecation import MiddlewareMixin

from wagtail.models import Site

from cms.page_cache import keep, recall, remember
from cms.url_prefixes import PROBE_PREFIXES


class CachedSiteMiddleware(MiddlewareMixin):
    """Find the request's site once per version of the content, not once per request.

    For every view but the probes, which must answer without the cache or the database. After
    CommonMiddleware, so a host outside ALLOWED_HOSTS is refused before it names a key. Wagtail
    reads the site from `request._wagtail_site` (Site.find_for_request).
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if hasattr(request, "_wagtail_site") or request.path.startswith(PROBE_PREFIXES):
            return None
        hostname = split_domain_port(request._get_raw_host())[0]
        site = remember(request, f"site:{hostname}:{request.get_port()}", lambda: site_with_root_page(request))
        if site is not None:
            request._wagtail_site = site
        return None


def site_with_root_page(request):
    """The request's site with its root page already of its own type, as Wagtail routes from it."""
    site = Site._find_for_request(request)
    if site is not None:
        site.root_page = site.root_page.specific
    return site


def route_from_site_root(root, request, path_components, walk):
    """The route to the page these path components name below the site's root page, remembered.

    `walk(request, path_components)` is the uncached route (BasePage's); its page is remembered
    only when the path names that page exactly, with its view restrictions read.
    """
    key = "route:{}:{}".format(root.pk, "/".join(path_components))
    page = recall(request, key)
    if page is not None:  # the page's own answer (live, or its "" sub-route), from the page remembered
        return page.walk_route(request, []) if page.pk == root.pk else page.route(request, [])
    result = walk(request, path_components)
    page = result[0]
    if page.url_path == root.url_path + "".join(f"{component}/" for component in path_components):
        page.remember_view_restrictions()
        keep(request, key, page)
    return result
