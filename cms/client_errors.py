"""Bad input that gets past a view's own checks answers 400 or 404, never 500.

Our views read their parameters through forms and safe helpers. Some of Wagtail's hand a raw
value to the ORM, int() or reverse(): a chooser's `?id=abc`, a snippet history whose pk is not a
number, `?p=abc` on a workflow, a form posted without its formset's counts, `next=abc` after an
edit. The error then names a value the client sent, or is a kind that only a hand-made request
causes: that is the client's mistake, and the site's 400 (or 404) page says so.
"""

from contextlib import suppress

from django.core.exceptions import BadRequest, ObjectDoesNotExist, RequestDataTooBig
from django.core.paginator import InvalidPage
from django.http import Http404
from django.urls import NoReverseMatch
from django.utils.datastructures import MultiValueDictKeyError

# Converting a value (int(), a model field's lookup value, a URL name) fails with these.
CONVERSION_ERRORS = (ValueError, TypeError, OverflowError, NoReverseMatch)


def values_sent(request):
    """Every value the client sent: query, form fields and the URL's parameters."""
    sent = [value for _name, values in request.GET.lists() for value in values]
    if request.method == "POST":
        with suppress(RequestDataTooBig, BadRequest):  # the body could not be read: nothing to compare
            sent += [value for _name, values in request.POST.lists() for value in values]
    match = request.resolver_match
    if match is not None:
        sent += [str(value) for value in [*match.args, *match.kwargs.values()]]
    return [value for value in sent if value]


def names_a_value_sent(error, request):
    # Python's and Django's messages quote the value with repr() (int() keeps the first 200 characters).
    message = str(error)
    return any(repr(value)[:100] in message for value in values_sent(request))


# The largest integer SQLite and PostgreSQL's bigint hold.
LARGEST_DATABASE_INTEGER = 2**63 - 1


def sent_a_number_too_large(request):
    """SQLite's driver refuses such a number without naming it ("Python int too large to convert")."""
    return any(
        value.strip().lstrip("+-").isdecimal() and abs(int(value)) > LARGEST_DATABASE_INTEGER
        for value in values_sent(request)
        if len(value) < 4300  # int() refuses longer digit strings; no column holds them anyway
    )


class ClientErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # Raised here, Django's handler turns these into the site's own 400 and 404 pages.
        if isinstance(exception, MultiValueDictKeyError):
            raise BadRequest("A form field that the form always sends is missing.") from exception
        if isinstance(exception, InvalidPage | ObjectDoesNotExist):
            raise Http404(str(exception)) from exception  # as Django's ListView answers a page past the end
        if isinstance(exception, CONVERSION_ERRORS) and names_a_value_sent(exception, request):
            raise BadRequest("A value that the view could not read.") from exception
        if isinstance(exception, OverflowError) and sent_a_number_too_large(request):
            raise BadRequest("A number larger than the database holds.") from exception
        return None
