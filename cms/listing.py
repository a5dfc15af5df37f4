"""The public listings' query-string handling: page number and filters, junk values ignored.

Used by the listing pages of cms and of courses (the catalogue).
"""

from urllib.parse import urlencode

from django.core.paginator import EmptyPage, PageNotAnInteger


def page_number(request, paginator):
    """The requested page of a listing; junk or out-of-range numbers give the nearest real page."""
    try:
        return paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages if int(request.GET.get("page", 1)) > 1 else 1)


def chosen_filters(request, choices_by_name):
    """The listing filters of the query string that name a real choice; junk values are ignored."""
    chosen = {}
    for name, choices in choices_by_name.items():
        valid = {str(value): value for value in choices.values}
        if request.GET.get(name, "") in valid:
            chosen[name] = valid[request.GET[name]]
    return chosen


def filter_context(chosen):
    """What the listing template needs to show the chosen filters and keep them across pages."""
    return {
        **{f"selected_{name}": value for name, value in chosen.items()},
        "filter_query": urlencode(chosen) + "&" if chosen else "",
    }
