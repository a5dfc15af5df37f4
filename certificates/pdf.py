"""The certificate as an A4 landscape PDF (WeasyPrint), in Vietnamese, with its own font and QR code.

WeasyPrint fetches only the project's own static and media files: every URL in the page resolves
against an address that cannot exist (`.invalid`), and the fetcher maps its /static/ and /media/
paths to files, refusing everything else (file:, http:, data:, anything a hostile name could add).
"""

import mimetypes
import threading
from functools import cache
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

import segno
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from certificates.models import CertificateSettings
from cms.links import absolute_url

BASE_URL = "https://certificate.invalid/"


class ProjectFilesOnly(URLFetcher):
    """A WeasyPrint URL fetcher that serves /static/ and /media/ files and refuses the rest."""

    def fetch(self, url, headers=None):
        content = self.read(url)
        return URLFetcherResponse(url, body=content, headers={"Content-Type": mimetypes.guess_type(url)[0] or ""})

    @staticmethod
    def read(url):
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or parts.query:
            raise ValueError(f"Refused: {url}")
        path = unquote(parts.path)
        try:
            if path.startswith("/static/"):
                found = finders.find(path.removeprefix("/static/"))
                if found:
                    with open(found, "rb") as file:
                        return file.read()
            elif path.startswith("/media/"):
                with default_storage.open(path.removeprefix("/media/")) as file:
                    return file.read()
        except (SuspiciousFileOperation, OSError) as error:
            raise ValueError(f"Refused: {url}") from error
        raise ValueError(f"Refused: {url}")


# Pango and fontconfig, under WeasyPrint, are not safe to use from two threads at once: two learners
# finishing together on a threaded server (`make run`) crashed the whole process. One render at a
# time per process; a render takes well under a tenth of a second.
RENDERING = threading.Lock()


@cache
def font_configuration():
    """One per process: WeasyPrint's font set-up is the slow part of a first render."""
    return FontConfiguration()


def qr_svg(url):
    return mark_safe(segno.make(url, error="m").svg_inline(scale=3, border=0))  # noqa: S308 - segno's own SVG


def size_for(text, steps):
    """The font size (pt) for a text of this length: long names and titles shrink to stay on the page."""
    return next((size for length, size in steps if len(text) <= length), steps[-1][1])


def render_html(certificate):
    settings = CertificateSettings.load()
    verify_url = absolute_url(certificate.get_verification_path())
    with translation.override("vi"):
        return render_to_string(
            "certificates/certificate_pdf.html",
            {
                "certificate": certificate,
                "settings": settings,
                "signature_url": image_url(settings.signature),
                "seal_url": image_url(settings.seal),
                "verify_url": verify_url,
                "qr_svg": qr_svg(verify_url),
                "name_size": size_for(certificate.holder_name, [(40, 26), (80, 20), (999, 15)]),
                "title_size": size_for(certificate.course_title, [(90, 17), (170, 14), (999, 11)]),
            },
        )


def image_url(image):
    return image.get_rendition("max-600x300").url if image else ""


def render_pdf(certificate):
    html = render_html(certificate)
    with RENDERING:
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=ProjectFilesOnly())
        return document.write_pdf(font_config=font_configuration())
