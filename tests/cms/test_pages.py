"""The public campaign site: page types, where they may live, what they show, filters, search, sitemap."""

import datetime
import json
import re

from django.urls import reverse

from wagtail.models import Page

import pytest

from cms.blocks import BodyBlock
from cms.models import (
    ArticlePage,
    HomePage,
    MaterialFile,
    ProgrammePage,
    StandardPage,
)
from tests.cms.factories import ArticlePageFactory, StandardPageFactory

pytestmark = pytest.mark.django_db


def test_standard_pages_go_anywhere_and_a_home_page_only_once(site_tree):
    assert StandardPage.can_create_at(site_tree["home"])
    assert not HomePage.can_create_at(site_tree["home"])
    assert not ProgrammePage.can_create_at(site_tree["home"])  # there is one already
    assert not ArticlePage.can_create_at(site_tree["home"])


def every_block_value(image, document, page):
    """A body holding each block once, as stored (JSON with ids)."""
    raw = [
        ("heading", {"text": "Các hình thức bạo lực", "level": "h2"}),
        ("paragraph", "<p>Đoạn văn <b>đậm</b>.</p>"),
        (
            "image",
            {
                "image": {"image": image.pk, "alt_text": "Người dân dự lễ ra quân", "decorative": False},
                "caption": "Lễ ra quân",
            },
        ),
        (
            "video",
            {
                "video": "https://www.youtube.com/watch?v=abc",
                "title": "Video nhận diện bạo lực",
                "transcript": "<p>Lời thoại.</p>",
            },
        ),
        ("document", {"document": document.pk, "label": "Tải tờ rơi"}),
        ("quote", {"text": "Không ai đáng bị bạo lực.", "attribution": "Chị Lan"}),
        ("callout", {"tone": "warning", "title": "Lưu ý an toàn", "text": "<p>Xóa lịch sử duyệt web.</p>"}),
        ("faq", {"title": "Hỏi đáp", "questions": [{"question": "Gọi số nào?", "answer": "<p>Gọi 111.</p>"}]}),
        (
            "key_figures",
            {"title": "Mục tiêu", "figures": [{"value": "50%", "label": "tìm đến dịch vụ", "source": "KH 106"}]},
        ),
        (
            "call_to_action",
            {"title": "Học trực tuyến", "text": "Hai giờ.", "page": page.pk, "url": "", "button_label": "Bắt đầu"},
        ),
        ("help_card", {"title": "Cần giúp ngay?", "text": "", "hotlines": [{"name": "Công an", "number": "113"}]}),
    ]
    return json.dumps([{"type": name, "value": value} for name, value in raw])


def test_a_page_renders_every_block_of_the_library(client, site_tree):
    page = StandardPageFactory(
        parent=site_tree["home"],
        title="Mọi khối nội dung",
        slug="moi-khoi",
        body=every_block_value(site_tree["image"], site_tree["document"], site_tree["programme"]),
    )
    html = client.get(page.url).content.decode()

    assert {name for name, _block in BodyBlock.base_blocks.items()} == {
        "heading",
        "paragraph",
        "image",
        "video",
        "document",
        "quote",
        "callout",
        "faq",
        "key_figures",
        "call_to_action",
        "help_card",
    }
    assert '<h2 class="block-heading">Các hình thức bạo lực</h2>' in html
    assert "<b>đậm</b>" in html
    assert 'alt="Người dân dự lễ ra quân"' in html and "<figcaption>Lễ ra quân</figcaption>" in html
    assert 'href="https://www.youtube.com/watch?v=abc"' in html and "<iframe" not in html
    assert "Tải tờ rơi" in html and "(PDF" in html
    assert "Không ai đáng bị bạo lực." in html and "Chị Lan" in html
    assert "callout--warning" in html and "<summary>Gọi số nào?</summary>" in html
    assert 'key-figures__value">50%' in html
    assert f'href="{site_tree["programme"].url}"' in html and "Bắt đầu" in html
    assert 'href="tel:113"' in html


def test_every_block_has_a_template_an_icon_and_a_preview(site_tree):
    for name, block in BodyBlock.base_blocks.items():
        assert block.meta.template.startswith("cms/blocks/"), name
        assert block.meta.icon, name
        assert block.get_preview_value() is not None, name


def test_the_home_page_shows_the_current_campaign_and_the_latest_articles(client, site_tree):
    html = client.get("/").content.decode()

    assert "Tháng hành động" in html and "Chiến dịch năm ngoái" not in html
    assert "Ra quân Tháng hành động" in html


def test_campaigns_are_sorted_into_current_upcoming_and_past(client, site_tree):
    response = client.get(site_tree["campaigns"].url)

    assert [page.title for page in response.context["current"]] == ["Tháng hành động"]
    assert [page.title for page in response.context["upcoming"]] == ["Chiến dịch sắp tới"]
    assert [page.title for page in response.context["past"]] == ["Chiến dịch năm ngoái"]


def test_a_campaign_cannot_end_before_it_starts(site_tree):
    from django.core.exceptions import ValidationError

    campaign = site_tree["current"]
    campaign.end_date = campaign.start_date - datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        campaign.full_clean()


def test_the_article_index_filters_by_area_and_tag(client, site_tree):
    url = site_tree["articles"].url

    filtered = client.get(url, {"area": 3})
    assert [a.title for a in filtered.context["articles"]] == ["Tập huấn cán bộ tiếp nhận"]
    assert '<option value="3" selected>3. Đào tạo, nâng cao năng lực</option>' in filtered.content.decode()
    assert [a.title for a in client.get(url, {"tag": "thang-hanh-dong"}).context["articles"]] == [
        "Ra quân Tháng hành động"
    ]
    assert len(client.get(url).context["articles"]) == 2


@pytest.mark.parametrize(
    "query",
    [
        {"area": "abc"},
        {"page": "-1"},
        {"page": "999999"},
        {"page": "abc"},
        {"tag": "<script>alert(1)</script>"},
        {"area": "99"},
    ],
)
def test_junk_filters_give_a_normal_page(client, site_tree, query):
    for index in (site_tree["articles"], site_tree["materials"], site_tree["help"]):
        response = client.get(index.url, query)
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.content.decode()


def test_the_article_index_paginates_ten_to_a_page_and_keeps_the_filter(client, site_tree):
    for n in range(12):
        ArticlePageFactory(parent=site_tree["articles"], title=f"Bài {n}", slug=f"bai-{n}", area=1)

    first = client.get(site_tree["articles"].url, {"area": 1})
    last = client.get(site_tree["articles"].url, {"area": 1, "page": 2})

    assert len(first.context["articles"]) == 10 and len(last.context["articles"]) == 3
    assert 'href="?area=1&amp;page=2"' in first.content.decode()


def test_materials_filter_and_downloads_are_counted(client, site_tree):
    url = site_tree["materials"].url
    assert [m.title for m in client.get(url, {"type": "leaflet"}).context["materials"]] == ["Tờ rơi nhận diện bạo lực"]
    assert list(client.get(url, {"type": "poster"}).context["materials"]) == []

    material_file = MaterialFile.objects.get()
    html = client.get(site_tree["material"].url).content.decode()
    download_url = reverse("download_material_file", args=[material_file.pk])
    assert download_url in html

    response = client.get(download_url)
    assert response.status_code == 302 and response.url == site_tree["document"].url
    client.get(download_url)
    material_file.refresh_from_db()
    assert material_file.downloads == 2


def test_a_download_of_an_unpublished_material_is_not_found(client, site_tree):
    site_tree["material"].unpublish()

    assert client.get(reverse("download_material_file", args=[MaterialFile.objects.get().pk])).status_code == 404


def test_the_help_directory_filters_by_type_and_ward_with_tel_links(client, site_tree):
    url = site_tree["help"].url
    html = client.get(url).content.decode()
    assert 'href="tel:111"' in html and 'href="tel:02400000000"' in html
    assert "Dữ liệu mẫu" in html

    assert [p.name for p in client.get(url, {"type": "hotline"}).context["providers"]] == [
        "Tổng đài quốc gia bảo vệ trẻ em"
    ]
    assert [p.name for p in client.get(url, {"ward": "HN-P-HK"}).context["providers"]] == ["Nhà tạm lánh mẫu"]


def test_entries_not_verified_for_a_year_are_flagged_to_editors(staff_client, site_tree):
    client = staff_client("Editors")
    client.user.is_superuser = True
    client.user.save()

    response = client.get("/admin/snippets/cms/serviceprovider/", {"needs_verification": "true"})

    assert [p.name for p in response.context["object_list"]] == ["Nhà tạm lánh mẫu"]
    assert site_tree["local"].needs_verification and not site_tree["hotline"].needs_verification


def test_a_content_warning_is_shown_before_the_folded_content(client, site_tree):
    article = site_tree["article"]
    article.content_warning = "Bài viết mô tả hành vi bạo lực."
    article.save_revision().publish()

    html = client.get(article.url).content.decode()

    warning, content = html.index("Bài viết mô tả hành vi bạo lực."), html.index("Lễ ra quân tại phường Hoàn Kiếm.")
    assert warning < html.index('<details class="content-warning__gate">') < content


def test_navigation_and_breadcrumbs(client, site_tree):
    html = client.get(site_tree["article"].url).content.decode()

    menu = re.search(r'<nav class="main-menu".*?</nav>', html, re.S).group(0)
    assert all(title in menu for title in ("Chương trình", "Chiến dịch", "Tin tức", "Tài liệu", "Tìm trợ giúp"))
    assert 'aria-current="page">Tin tức' in menu
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    assert "Trang chủ thử nghiệm" in crumbs and "Tin tức" in crumbs and 'aria-current="page">Ra quân' in crumbs


def test_titles_descriptions_and_open_graph(client, site_tree):
    article = site_tree["article"]
    article.search_description = "Lễ ra quân Tháng hành động năm nay."
    article.save_revision().publish()

    html = client.get(article.url).content.decode()

    assert "<title>Ra quân Tháng hành động · Chương trình thử nghiệm</title>" in html
    assert '<meta name="description" content="Lễ ra quân Tháng hành động năm nay.">' in html
    assert '<meta property="og:type" content="article">' in html
    assert re.search(r'<meta property="og:image" content="http://testserver/media/images/[^"]+">', html)


def test_search_finds_articles_campaigns_materials_and_help(client, site_tree):
    for query, expected in (
        ("ra quân", "Ra quân Tháng hành động"),
        ("hành động", "Tháng hành động"),
        ("tờ rơi", "Tờ rơi nhận diện bạo lực"),
        ("bảo vệ trẻ em", "Tổng đài quốc gia bảo vệ trẻ em"),
    ):
        html = client.get(reverse("search"), {"q": query}).content.decode()
        assert expected in html, query


@pytest.mark.parametrize("query", ["", "   ", "x" * 5000, "!!!???...", "<script>"])
def test_search_with_empty_long_or_punctuation_queries_is_a_normal_page(client, site_tree, query):
    response = client.get(reverse("search"), {"q": query})

    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_the_sitemap_lists_every_live_page_and_robots_points_to_it(client, site_tree):
    sitemap = client.get("/sitemap.xml").content.decode()
    for page in Page.objects.live().descendant_of(site_tree["home"], inclusive=True):
        assert f"<loc>{page.full_url}</loc>" in sitemap, page.title

    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in robots and "Sitemap: http://testserver/sitemap.xml" in robots


def test_an_unknown_page_is_the_sites_own_vietnamese_404(client, site_tree):
    response = client.get("/khong-co-trang-nay/")

    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode() and "Thoát nhanh" in response.content.decode()


def test_an_anonymous_page_view_costs_at_most_12_queries_with_200_articles(
    client, site_tree, django_assert_max_num_queries
):
    index = site_tree["articles"]
    for n in range(200):
        ArticlePageFactory(parent=index, title=f"Bài viết {n}", slug=f"bai-viet-{n}", area=1 + n % 7)

    for url in (
        "/",
        index.url,
        site_tree["article"].url,
        site_tree["materials"].url,
        site_tree["help"].url,
        site_tree["campaigns"].url,
        site_tree["programme"].url,
        site_tree["material"].url,
    ):
        client.get(url)  # warm Wagtail's per-process site and settings lookups
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200


PAGE_KEYS = ["home", "programme", "campaigns", "current", "articles", "article", "materials", "material", "help"]


@pytest.mark.parametrize("key", PAGE_KEYS)
def test_every_page_type_renders_with_every_block(client, site_tree, key):
    page = site_tree[key].specific
    page.body = every_block_value(site_tree["image"], site_tree["document"], site_tree["programme"])
    page.save_revision().publish()

    html = client.get(page.url).content.decode()

    for expected in ('class="block-heading"', "key-figures__value", 'href="tel:113"', "<summary>Gọi số nào?</summary>"):
        assert expected in html, (key, expected)


@pytest.mark.parametrize("key", PAGE_KEYS)
def test_every_page_type_is_found_by_search_and_listed_in_the_sitemap(client, site_tree, key):
    page = site_tree[key].specific

    results = client.get(reverse("search"), {"q": page.title}).context["results"]

    assert page.pk in [result.pk for result in results["pages"]]
    assert f"<loc>{page.full_url}</loc>" in client.get("/sitemap.xml").content.decode()


@pytest.mark.parametrize("key", PAGE_KEYS)
def test_anonymous_visitors_get_no_cookie_on_any_page_type(client, site_tree, key):
    assert client.get(site_tree[key].url).cookies == {}


def test_a_video_address_that_cannot_be_resolved_is_refused_in_the_admin(staff_client, site_tree):
    from django.core.exceptions import ValidationError

    from cms.blocks import VideoBlock

    block = VideoBlock()
    value = block.to_python({"video": "https://khong-ton-tai.example/video/1", "title": "Video", "transcript": ""})
    with pytest.raises(ValidationError):
        block.clean(value)


def test_a_stored_video_address_never_breaks_the_page(client, site_tree):
    page = site_tree["article"]
    page.body = json.dumps(
        [
            {
                "type": "video",
                "value": {"video": "https://khong-ton-tai.example/v", "title": "Video cũ", "transcript": ""},
            }
        ]
    )
    page.save_revision().publish()

    response = client.get(page.url)

    assert response.status_code == 200 and 'href="https://khong-ton-tai.example/v"' in response.content.decode()


def test_publishing_is_recorded_in_wagtails_history_and_audit_log(site_tree):
    from wagtail.models import PageLogEntry

    editor = site_tree["article"]
    editor.title = "Tiêu đề mới"
    editor.save_revision().publish()

    assert PageLogEntry.objects.filter(page=editor, action="wagtail.publish").exists()
    assert editor.revisions.count() >= 2
