"""Template filters for the three date formats of cms.dates: {% load dates %} then
{{ value|prose_date }}, {{ value|table_date }} or {{ value|export_date }}. A value that is not a
date renders as nothing, as Django's own |date does, rather than breaking the page."""

from django import template

from cms import dates

register = template.Library()


def _forgiving(format_date):
    def render(value):
        try:
            return format_date(value)
        except TypeError:
            return ""

    render.__name__ = format_date.__name__
    render.__doc__ = format_date.__doc__
    return render


for _format_date in (dates.prose_date, dates.table_date, dates.export_date):
    register.filter(_format_date.__name__, _forgiving(_format_date), is_safe=False)
