"""What a browser and a search engine expect of every public page: a description, an icon (and an
answer at /favicon.ico), and images offered in several widths so that a phone fetches a small one."""

import html
import re

from django.test import override_settings

import pytest

from tests.cms.factories import StandardPageFactory, make_image
from tests.cms.test_pages import PAGE_KEYS, every_block_value

pytestmark = pytest.mark.django_db

META_DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)">')
IMG = re.compile(r"<img [^>]*>")


def description_of(client, page):
    found = META_DESCRIPTION.findall(client.get(page.url).content.decode())
    assert len(found) == 1, page.title
    return found[0]


@pytest.mark.parametrize("key", PAGE_KEYS)
def test_every_page_type_has_one_description_and_the_site_icon(client, site_tree, key):
    html = client.get(site_tree[key].url).content.decode()

    assert META_DESCRIPTION.search(html)[1].strip()
    assert '<link rel="icon" href="/static/icons/favicon.ico" sizes="32x32">' in html
    assert '<link rel="icon" href="/static/icons/icon.svg" type="image/svg+xml">' in html


def test_the_description_is_the_search_description_else_the_summary_else_the_first_paragraph(client, site_tree):
    article = site_tree["article"]
    assert description_of(client, article) == "Lễ ra quân tại phường Hoàn Kiếm."

    article.search_description = "Hà Nội ra quân hưởng ứng Tháng hành động."
    article.save_revision().publish()
    assert description_of(client, article) == "Hà Nội ra quân hưởng ứng Tháng hành động."

    page = StandardPageFactory(
        parent=site_tree["home"],
        slug="khoi",
        body=every_block_value(site_tree["image"], site_tree["document"], site_tree["programme"]),
    )
    assert description_of(client, page) == "Đoạn văn đậm."


def test_a_page_with_a_content_warning_is_described_by_its_warning(client, site_tree):
    article = site_tree["article"]
    article.content_warning = "Bài viết mô tả hành vi bạo lực."
    article.save_revision().publish()

    assert description_of(client, article) == "Bài viết mô tả hành vi bạo lực."


def test_a_long_introduction_is_cut_to_160_characters_as_plain_text(client, site_tree):
    articles = site_tree["articles"]
    articles.intro = "<p>" + "Phòng, chống bạo lực &amp; hỗ trợ nạn nhân. " * 10 + "</p>"
    articles.save_revision().publish()

    description = html.unescape(description_of(client, articles))

    assert len(description) == 160 and description.endswith("…")
    assert description.startswith("Phòng, chống bạo lực & hỗ trợ") and "<p>" not in description


def test_favicon_ico_sends_the_browser_to_the_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/icons/favicon.ico"


@override_settings(STORAGES={"staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}})
def test_favicon_ico_follows_the_hashed_name_in_production(client, tmp_path, settings):
    from django.contrib.staticfiles.storage import staticfiles_storage

    staticfiles_storage.manifest_strict = False
    staticfiles_storage.hashed_files = {"icons/favicon.ico": "icons/favicon.0123456789ab.ico"}

    assert client.get("/favicon.ico")["Location"] == "/static/icons/favicon.0123456789ab.ico"


def widths(img):
    srcset = re.search(r'srcset="([^"]+)"', img)[1]
    return [int(candidate.rsplit(" ", 1)[1].rstrip("w")) for candidate in srcset.split(", ")]


@pytest.fixture
def photo(site_tree):
    """A photo as editors upload them, 1600 px wide, as the hero and preview of the site's pages."""
    photo = make_image(title="Ảnh lễ ra quân", size=(1600, 1000))
    for key, field in [("article", "hero_image"), ("current", "hero_image"), ("material", "preview_image")]:
        page = site_tree[key].specific
        setattr(page, field, photo)
        page.save_revision().publish()
    return photo


@pytest.mark.parametrize(
    ("key", "phone_width"),
    [("article", 360), ("current", 360), ("material", 360), ("articles", 320), ("campaigns", 320), ("materials", 320)],
)
def test_heroes_and_cards_offer_a_phone_sized_rendition_and_say_how_wide_they_show(
    client, site_tree, photo, key, phone_width
):
    images = IMG.findall(client.get(site_tree[key].url).content.decode())

    assert images, key
    for img in images:
        assert phone_width in widths(img) and max(widths(img)) >= 720, img
        assert 'sizes="(max-width: ' in img, img


def test_an_image_in_a_body_offers_several_widths_and_keeps_its_alt_text(client, site_tree, photo):
    page = StandardPageFactory(
        parent=site_tree["home"],
        slug="khoi",
        body=every_block_value(photo, site_tree["document"], site_tree["programme"]),
    )

    [img] = IMG.findall(client.get(page.url).content.decode().split("<main", 1)[1])

    assert widths(img) == [360, 720, 1200]
    assert 'alt="Người dân dự lễ ra quân"' in img and 'loading="lazy"' in img and "sizes=" in img


def test_an_image_narrower_than_every_width_asked_for_is_offered_once_without_sizes(client, site_tree):
    [img] = IMG.findall(client.get(site_tree["article"].url).content.decode().split("<main", 1)[1])

    assert "srcset=" not in img and "sizes=" not in img
    assert 'width="64"' in img
