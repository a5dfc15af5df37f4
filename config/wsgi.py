import codecs
import os

import django
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.utils.http import parse_header_parameters

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")


def is_text_encoding(name):
    try:
        return codecs.lookup(name)._is_text_encoding
    except LookupError:
        return False


class SiteRequest(WSGIRequest):
    """Django's request, reading any Content-Type header without failing.

    Django reads the header while it builds the request, before any middleware or error handler
    runs, so what it raises there reaches the WSGI server as a bare 500: a charset that names a
    codec but not a text encoding (`charset=rot13`, `base64`: LookupError) or a header over its
    length limit (BadRequest). Here such a charset is ignored (UTF-8, as with an unknown one) and
    an unreadable header counts as none (the body is then not read as a form), so the request
    goes on to the view and gets a normal answer.
    """

    def _set_content_type_params(self, meta):
        try:
            self.content_type, self.content_params = parse_header_parameters(meta.get("CONTENT_TYPE", ""))
        except ValueError:
            self.content_type, self.content_params = "", {}
        charset = self.content_params.get("charset")
        if charset and is_text_encoding(charset):
            self.encoding = charset


class SiteWSGIHandler(WSGIHandler):
    request_class = SiteRequest


def get_application():
    # As django.core.wsgi.get_wsgi_application, with our request class.
    django.setup(set_prefix=False)
    return SiteWSGIHandler()


application = get_application()
