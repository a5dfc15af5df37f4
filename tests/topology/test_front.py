"""The HTTPS front of the production topology (deploy/nginx/): TLS, the redirect, signing in with
Secure cookies, static files and public media with long cache headers, what is never served."""

import socket
import ssl
from pathlib import Path

import requests

from tests.topology.conftest import REQUEST_TIMEOUT, Browser, django_shell

DEMO_LEARNER, DEMO_PASSWORD = "hocvien1@example.org", "Demo-GBV-2026"


def test_plain_http_is_redirected_to_https(topology):
    response = requests.get(
        f"http://127.0.0.1:{topology.ports.http}/courses/?a=1", allow_redirects=False, timeout=REQUEST_TIMEOUT
    )

    assert response.status_code == 301
    assert response.headers["Location"] == f"{topology.url}/courses/?a=1"


def test_tls_is_1_2_or_1_3_with_the_topologys_certificate(topology):
    for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        context = ssl.create_default_context(cafile=str(topology.certificate))
        context.minimum_version = context.maximum_version = version
        with (
            socket.create_connection(("127.0.0.1", topology.ports.https), timeout=5) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            assert tls.version() == version.name.replace("v1_", "v1.")


def test_a_learner_signs_in_over_https_with_secure_cookies(topology):
    browser = Browser(topology)

    response = browser.sign_in(DEMO_LEARNER, DEMO_PASSWORD)

    cookies = {cookie.name: cookie for cookie in browser.session.cookies}
    assert cookies["sessionid"].secure and cookies["csrftoken"].secure
    assert "HttpOnly" in response.headers["Set-Cookie"]
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    dashboard = browser.get("/my/")
    assert dashboard.status_code == 200 and "Hiểu đúng về bạo lực" in dashboard.text


def test_static_files_are_served_by_nginx_compressed_and_cached_for_a_year(topology):
    home = Browser(topology).get("/")
    stylesheet = home.text.split('<link rel="stylesheet" href="')[1].split('"')[0]

    response = Browser(topology).get(stylesheet, headers={"Accept-Encoding": "gzip"})

    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_public_images_are_served_and_documents_go_through_wagtail(topology):
    media = django_shell(topology, "public_image_and_document()")
    browser = Browser(topology)

    for url in (media["original"], media["rendition"]):
        image = browser.get(url)
        assert image.status_code == 200, url
        assert image.headers["Content-Type"] == "image/png"
        assert "max-age=" in image.headers["Cache-Control"]
        assert "sandbox" in image.headers["Content-Security-Policy"]
    # The document's file is not served as media; Wagtail's view serves it (and checks privacy).
    assert browser.get(media["document_file"]).status_code == 404
    document = browser.get(media["document"])
    assert document.status_code == 200 and document.content.startswith(b"%PDF")


def test_certificate_files_and_metrics_are_never_served_by_the_front(topology):
    private = topology.state / "private_media"
    for served in ("staticfiles", "media"):
        assert not private.is_relative_to(topology.state / served)
    pdfs = list(private.rglob("*.pdf"))  # the demo learner's certificate, made by the worker
    browser = Browser(topology)
    for pdf in pdfs:
        relative = pdf.relative_to(private)
        for guess in (f"/media/{relative}", f"/static/{relative}", f"/media/../private_media/{relative}"):
            assert browser.get(guess).status_code == 404, guess

    assert browser.get("/metrics").status_code == 404
    assert "upstream=- " in Path(topology.logs / "gbv-access.log").read_text().splitlines()[-1]
