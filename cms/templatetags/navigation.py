from django import template

from wagtail.models import Site

from cms.page_cache import remember

register = template.Library()


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context):
    """The site's top-level pages marked "show in menus" (remembered until content changes)."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    if site is None:
        return {"items": []}

    def menu_items():
        return [
            (item.title, item.get_url(request), item.path)
            for item in site.root_page.get_children().live().in_menu().only("title", "path", "url_path", "depth")
        ]

    current = context.get("page")
    return {
        "items": [
            (title, url, bool(current and current.path.startswith(path)))
            for title, url, path in remember(request, f"menu:{site.pk}", menu_items)
        ]
    }


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    page, request = context.get("page"), context.get("request")
    if page is None or page.depth <= 2:
        return {"ancestors": []}

    def ancestors():
        return [(ancestor.title, ancestor.get_url(request)) for ancestor in page.get_ancestors().filter(depth__gt=1)]

    # Keyed by the parent: every article of an index shares one lookup.
    parent_path = page.path[: -page.steplen]
    return {"ancestors": remember(request, f"breadcrumbs:{parent_path}", ancestors), "page": page}


@register.simple_tag(takes_context=True)
def footer_hotlines(context):
    site_settings = context["settings"]["cms"]["SiteSettings"]
    return remember(
        context.get("request"),
        f"hotlines:{site_settings.pk}",
        lambda: list(site_settings.footer_hotlines.values_list("name", "number")),
    )
