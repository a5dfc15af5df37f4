"""Where requests come in: NUL is refused once, control characters are dropped once, and what a
user types into any search box is words to find, never query syntax (on SQLite and PostgreSQL)."""

import io

from django.test import Client

import pytest

from accounts.models import User
from cms.control_characters import drop_control_characters
from cms.models import ServiceProvider
from cms.search import MAX_WORDS, search_words
from tests.accounts.factories import signup_data
from tests.conftest import QUICK_EXIT_URL

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    # A 5xx must show as a status, so that a test can say which request gave it.
    return Client(raise_request_exception=False)


# --- NUL: the 400 page, once, for every URL ----------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/search/?q=%00",
        "/search/?q=a%00b",
        "/tin-tuc/?tag=%00",
        "/tin-tuc/?area=1&page=%00",
        "/?%00=1",
        "/accounts/login/?next=/%00",
        "/verify/?serial=%00",
        "/tim-tro-giup/?ward=HN%00",
    ],
)
def test_a_nul_in_the_query_string_gets_the_400_page(client, site_tree, url):
    response = client.get(url)

    assert response.status_code == 400
    # The site's own 400 page, in Vietnamese, with the quick exit.
    assert "Yêu cầu không hợp lệ" in response.content.decode()
    assert QUICK_EXIT_URL in response.content.decode()


def test_the_400_page_speaks_the_chosen_language(client, site_tree):
    client.cookies["language"] = "en"

    response = client.get("/search/?q=%00")

    assert response.status_code == 400 and "Bad request" in response.content.decode()


@pytest.mark.parametrize("url", ["/%00/", "/tin-tuc/%00/", "/tin-tuc/ra-quan%00/", "/certificates/A%00B.pdf"])
def test_a_nul_in_the_path_gets_the_400_page(client, site_tree, url):
    assert client.get(url).status_code == 400


def test_a_nul_in_a_staff_members_admin_query_gets_the_400_page(staff_client, site_tree):
    client = staff_client("Administrators")
    client.raise_request_exception = False

    for url in ("/admin/units/?q=%00", "/admin/pages/search/?q=a%00", "/admin/snippets/cms/serviceprovider/?ward=%00"):
        assert client.get(url).status_code == 400, url


def test_a_nul_in_a_cookie_gets_the_400_page_not_a_session_lookup(client, site_tree):
    # A quoted cookie value may spell NUL as \000; PostgreSQL cannot look such a session key up.
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    assert client.get("/my/").status_code == 400


def test_a_nul_in_a_form_field_gets_the_400_page_and_changes_nothing(client, home_page, unit_tree):
    for field in ("full_name", "position", "email"):
        data = signup_data(**{field: "Nguyễn\x00Lan" if field != "email" else "lan\x00@example.org"})
        assert client.post("/accounts/signup/", data).status_code == 400
    assert client.post("/accounts/login/", {"login": "a@example.org", "password": "x\x00"}).status_code == 400
    # A NUL in a field's name counts as well.
    assert client.post("/accounts/signup/", signup_data() | {"x\x00": "1"}).status_code == 400

    assert not User.objects.exists()


def test_a_nul_in_a_multipart_text_field_gets_the_400_page(client, home_page, unit_tree):
    photo = io.BytesIO(b"plain")
    photo.name = "note.txt"

    response = client.post("/accounts/signup/", signup_data(full_name="Lan\x00", attachment=photo))

    assert response.status_code == 400
    assert not User.objects.exists()


def test_an_uploaded_file_full_of_nul_bytes_is_left_alone(staff_client, home_page):
    from wagtail.documents.models import Document

    client = staff_client("Administrators")
    # An XLSX is a ZIP, and a ZIP holds NUL bytes: an upload must not be refused for them.
    workbook = io.BytesIO(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 64)
    workbook.name = "danh-sach.xlsx"

    response = client.post("/admin/documents/add/", {"title": "Danh sách", "file": workbook})

    assert response.status_code == 302
    assert Document.objects.filter(title="Danh sách").exists()


@pytest.mark.parametrize(
    "url",
    [
        "/%FF/",  # a byte that is not UTF-8
        "/tin-tuc/%C3%28/",  # a broken two-byte sequence
        "/%ED%A0%80/",  # an encoded surrogate
        "/%/",  # a lone percent sign
        "/%zz/",  # not hex
        "/tin-tuc/?tag=%FF&area=%E1%BA",
        "/search/?q=%&q=%zz&q=%C3%28",
        "/tin-tuc/?page=%ZZ",
    ],
)
def test_broken_percent_encoding_and_non_utf8_bytes_give_a_page_not_an_error(client, site_tree, url):
    assert client.get(url).status_code in (200, 404)


# --- Control characters: dropped from single lines, line breaks kept in text areas ------------


def test_control_characters_are_dropped_and_a_single_line_keeps_no_line_breaks():
    assert drop_control_characters("A\x07B\x1b[31mC\x7fD\x85E\x9fF", multiline=False) == "AB[31mCDEF"
    assert drop_control_characters("Nguyễn\r\nVăn\tA", multiline=False) == "Nguyễn Văn A"
    assert drop_control_characters("Dòng 1\r\n\tDòng 2\n\x0bDòng 3\x0c", multiline=True) == "Dòng 1\r\n\tDòng 2\nDòng 3"


def test_a_full_name_signed_up_with_a_control_character_is_saved_without_it(client, home_page, unit_tree):
    response = client.post("/accounts/signup/", signup_data(full_name="Nguyễn Thị\x07 Lan\x1b", position="Y\x08 sĩ"))

    assert response.status_code == 302
    user = User.objects.get(email="lan.nguyen@example.org")
    assert (user.full_name, user.position) == ("Nguyễn Thị Lan", "Y sĩ")


def test_a_snippet_keeps_the_tabs_and_line_breaks_of_its_text_area_but_not_of_its_name(staff_client, site_tree):
    client = staff_client("Administrators", is_superuser=True)
    provider = site_tree["hotline"]

    response = client.post(
        f"/admin/snippets/cms/serviceprovider/edit/{provider.pk}/",
        {
            "name": "Tổng đài\x07 111\r\n",
            "provider_type": "hotline",
            "phone": "111",
            "address": "Hà\tNội",
            "ward": "",
            "opening_hours": "24/7",
            "services": "Tư vấn\r\n\tHỗ trợ\x07 khẩn cấp\r\nKết nối",
            "free_of_charge": "on",
            "last_verified": "2026-11-01",
        },
    )

    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.name == "Tổng đài 111"
    assert provider.address == "Hà Nội"
    assert provider.services == "Tư vấn\r\n\tHỗ trợ khẩn cấp\r\nKết nối"


# --- Search: words to find, never query syntax -----------------------------------------------

HOSTILE_QUERIES = [
    'a"',
    '"abc',
    '"',
    '""',
    "'",
    "a'b",
    "-",
    "-bạo",
    "bạo -lực",
    "OR",
    "AND",
    "NOT",
    "NOT bạo",
    "bạo OR",
    "NEAR(bạo lực)",
    "*",
    "bạo*",
    "^bạo",
    "(",
    ")",
    "(bạo",
    "a:b",
    "title:bạo",
    "{title}:bạo",
    "\\",
    "a\\",
    "+",
    "&",
    "|",
    "!",
    "bạo & | ! lực",
    "<->",
    "a <-> b",
    "'a':*",
    "%",
    "_",
    "\x07",
    "\u0301",  # a combining mark with no letter
    "\u200b",
    "😀" * 50,
    "x" * 10000,
    "bạo " * 3000,
    '"a" ' * 2500,
    "' OR 1=1 --",
    "<script>alert(1)</script>",
]

ADMIN_SEARCHES = [
    "/admin/pages/search/",
    "/admin/pages/{home}/",
    "/admin/images/",
    "/admin/documents/",
    "/admin/snippets/cms/serviceprovider/",
    "/admin/users/",
    "/admin/units/",
    "/admin/choose-page/search/",
    "/admin/images/chooser/results/",
    "/admin/documents/chooser/results/",
    "/admin/snippets/choose/cms/serviceprovider/results/",
]


def test_search_words_are_unicode_words_with_their_diacritics():
    assert search_words('zzzz"OR"bạo') == ["zzzz", "OR", "bạo"]
    assert search_words("Bạo lực-gia đình (2025)*") == ["Bạo", "lực", "gia", "đình", "2025"]
    # The same letters typed as base letter + combining marks (NFD) come out composed.
    assert search_words("ba\u0323o") == ["bạo"]
    assert search_words("\u0301 ' \" - * ( ) : ^") == []
    assert len(search_words("a " * 1000)) == MAX_WORDS


def test_site_search_finds_words_and_never_obeys_query_syntax(client, site_tree):
    def found(query):
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        results = response.context["results"] or {"pages": [], "providers": []}
        return [page.title for page in results["pages"]] + [provider.name for provider in results["providers"]]

    assert "Tờ rơi nhận diện bạo lực" in found("bạo")
    assert "Tờ rơi nhận diện bạo lực" in found('"bạo"')
    # No page has "zzzz": read as words, the query finds nothing; read as syntax, it was "zzzz OR bạo".
    assert found('zzzz"OR"bạo') == []
    assert found("zzzz OR bạo") == []
    assert found("bạo -lực") == found("bạo lực")
    assert "Tờ rơi nhận diện bạo lực" in found("bạo -lực")


def test_no_search_box_gives_an_error_on_hostile_text(client, staff_client, site_tree):
    anonymous = Client(raise_request_exception=False)
    admin = staff_client("Administrators", is_superuser=True)  # every search box, snippets too
    admin.raise_request_exception = False
    statuses = {}
    for query in HOSTILE_QUERIES:
        statuses[("/search/", query)] = anonymous.get("/search/", {"q": query}).status_code
        for url in ADMIN_SEARCHES:
            url = url.format(home=site_tree["home"].pk)
            statuses[(url, query)] = admin.get(url, {"q": query}).status_code

    assert {request: status for request, status in statuses.items() if status != 200} == {}


def test_admin_search_boxes_find_words_not_syntax(staff_client, site_tree):
    client = staff_client("Administrators", is_superuser=True)

    def listed(url, query):
        response = client.get(url, {"q": query})
        assert response.status_code == 200
        return response.content.decode()

    snippets = "/admin/snippets/cms/serviceprovider/"
    assert "Nhà tạm lánh mẫu" in listed(snippets, "tạm lánh")
    assert "Nhà tạm lánh mẫu" not in listed(snippets, 'zzzz"OR"tạm')
    assert "Tờ rơi nhận diện bạo lực" in listed("/admin/pages/search/", "Tờ rơi")
    assert "Tờ rơi nhận diện bạo lực" not in listed("/admin/pages/search/", 'zzzz"OR"rơi')


def test_the_backend_takes_words_for_every_caller(site_tree):
    from wagtail.models import Page
    from wagtail.search.backends import get_search_backend

    assert [page.title for page in Page.objects.live().search('zzzz"OR"bạo')] == []
    assert "Tờ rơi nhận diện bạo lực" in [page.title for page in Page.objects.live().search('bạo"')]
    assert list(get_search_backend().search('"', ServiceProvider)) == []
    assert [provider.name for provider in get_search_backend().search('lánh"', ServiceProvider)] == ["Nhà tạm lánh mẫu"]


# --- Headers Django reads before any middleware ------------------------------------------------


def call_wsgi_application(method, path, query="", content_type="", body=b""):
    """Send a request through config.wsgi.application as gunicorn would; return the status code."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from config.wsgi import application

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
    }
    statuses = []
    # As Django's test client does: the test's transaction must outlive the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = application(environ, lambda status, headers, *args: statuses.append(status))
        b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return int(statuses[0].split()[0])


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded; charset=rot13",  # a codec, but not a text encoding
        "application/x-www-form-urlencoded; charset=base64",
        "application/x-www-form-urlencoded; charset=no-such-charset",
        "multipart/form-data; boundary=" + "x" * 12_000,  # longer than Django reads
        "text/plain; charset=utf-16",
    ],
)
def test_any_content_type_header_gets_a_normal_answer(site_tree, content_type):
    assert call_wsgi_application("GET", "/search/", "q=b%E1%BA%A1o", content_type) == 200
    # A form posted without a CSRF cookie: the site's CSRF page, not a crash.
    assert call_wsgi_application("POST", "/search/", "q=a", content_type, b"q=%FF&x=1") == 403


def test_an_admin_search_narrowed_by_a_filter_finds_what_both_match(staff_client, site_tree):
    """Wagtail's listings filter searches on fields no search index lists (an image's tag, the
    usage count of images and documents): the database applies them as SQL, never a 500."""
    from tests.cms.factories import make_image

    client = staff_client("Administrators", is_superuser=True)
    tagged = make_image(title="Ảnh tháng hành động")
    tagged.tags.add("chien-dich")
    make_image(title="Ảnh tháng khác")

    def listed(url, data):
        response = client.get(url, data)
        assert response.status_code == 200
        return response.content.decode()

    chooser = listed("/admin/images/chooser/results/", {"q": "tháng", "tag": "chien-dich"})
    assert "Ảnh tháng hành động" in chooser
    assert "Ảnh tháng khác" not in chooser
    images = listed("/admin/images/", {"q": "tháng", "usage_count_min": "0", "usage_count_max": "5"})
    assert "Ảnh tháng hành động" in images
    documents = listed("/admin/documents/", {"q": "Tờ rơi", "usage_count_min": "0"})
    assert site_tree["document"].title in documents
