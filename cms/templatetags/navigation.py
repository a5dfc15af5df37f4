from django import template

from wagtail.models import Site

register = template.Library()


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context):
    """The site's top-level pages marked "show in menus", in one query."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    items = site.root_page.get_children().live().in_menu() if site else []
    current = context.get("page")
    return {
        "items": [(item, bool(current and current.path.startswith(item.path))) for item in items],
        "request": request,
    }


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    page = context.get("page")
    if page is None or page.depth <= 2:
        return {"ancestors": []}
    return {"ancestors": page.get_ancestors().filter(depth__gt=1), "page": page}
