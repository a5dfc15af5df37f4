from django.conf import settings


def absolute_url(path):
    """The public address of a path, for e-mails, PDFs and QR codes (no request at hand)."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path
