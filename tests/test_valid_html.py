"""Every page type of the demo content, as a visitor and as a signed-in learner sees it, is valid
HTML: the Nu HTML Checker (npm's vnu-jar, on Debian's Java; `make browser` installs both) finds
no error in any of them. Pages are rendered with the test client and checked in one run of vnu."""

import json
import shutil
import subprocess
from pathlib import Path

from django.core.management import call_command

from wagtail.models import Page

import pytest

from accounts.models import User
from certificates.models import Certificate

pytestmark = pytest.mark.django_db

VNU = Path(__file__).resolve().parents[1] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LEARNER = "hocvien1@example.org"

# Pages that are not Wagtail pages, as a visitor reaches them.
PUBLIC_PATHS = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/search/?q=bạo+lực",
    "/search/?q=",
    "/verify/",
    "/khong-co-trang-nay/",
]
LEARNER_PATHS = ["/my/", "/accounts/email/", "/accounts/password/change/", "/accounts/2fa/"]


def one_page_of_each_type():
    """{page type: its first live page in tree order} over the whole demo site."""
    pages = {}
    for page in Page.objects.live().filter(depth__gt=1).order_by("path").specific():
        pages.setdefault(type(page).__name__, page)
    return pages


def with_filters(url):
    """A listing as its filter form submits it (the form itself must be valid too)."""
    return f"{url}?area=3&type=&page=1"


def vnu_errors(documents, tmp_path):
    """{name: [vnu error messages]} for the named HTML documents, checked in one run."""
    files = {}
    for index, (name, html) in enumerate(documents.items()):
        file = tmp_path / f"{index:02d}.html"
        file.write_text(html, encoding="utf-8")
        files[file.name] = name
    result = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU),
            "--format",
            "json",
            "--exit-zero-always",
            *(str(path) for path in sorted(tmp_path.glob("*.html"))),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    errors = {}
    for message in json.loads(result.stderr)["messages"]:
        if message["type"] in ("error", "non-document-error"):
            url = message.get("url", "")
            name = files.get(url.rsplit("/", 1)[-1], url)
            errors.setdefault(name, []).append(
                f"line {message.get('lastLine')}: {message['message']} | {message.get('extract', '').strip()}"
            )
    return errors


def test_every_page_type_is_valid_html_for_a_visitor_and_a_learner(client, tmp_path):
    if not VNU.exists() or shutil.which("java") is None:
        pytest.fail("The Nu HTML Checker needs `npm ci --ignore-scripts` and Java (make browser installs both).")
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    documents = {}

    def render(name, path, status=200):
        response = client.get(path, follow=True)
        assert response.status_code == status, (name, path, response.status_code)
        documents[name] = response.content.decode()

    pages = one_page_of_each_type()
    module = pages.pop("ModulePage")
    for type_name, page in pages.items():
        render(f"{type_name} {page.url}", page.url)
    for type_name in ("ArticleIndexPage", "MaterialsIndexPage", "HelpDirectoryPage", "CourseIndexPage"):
        render(f"{type_name} filtered", with_filters(pages[type_name].url))
    for path in PUBLIC_PATHS:
        render(path, path, status=404 if path == "/khong-co-trang-nay/" else 200)
    certificate = Certificate.objects.filter(revoked_at__isnull=True).first()
    if certificate is not None:
        render("certificate verification", certificate.get_verification_path())

    client.force_login(User.objects.get(email=LEARNER))
    render(f"ModulePage {module.url} (signed in)", module.url)
    render("CoursePage (signed in)", module.get_parent().url)
    for path in LEARNER_PATHS:
        render(f"{path} (signed in)", path)
    response = client.post(f"{module.get_parent().url}enrol/", follow=True)
    assert "message--success" in response.content.decode()
    documents["CoursePage after enrolling (message shown)"] = response.content.decode()

    errors = vnu_errors(documents, tmp_path)

    assert len(documents) >= 25, sorted(documents)

    assert errors == {}, "\n".join(f"{name}:\n  " + "\n  ".join(messages) for name, messages in errors.items())
