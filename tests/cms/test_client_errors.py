"""Bad input that reaches Wagtail's own views gets the site's 400 or 404 page, not a 500."""

import pytest

from cms.models import ServiceProvider

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/images/chooser/chosen/abc/",  # a chooser given an id that is not a number
        "/admin/choose-page/chosen-multiple/?id=abc",
        "/admin/snippets/cms/serviceprovider/history/abc/revisions/compare/live...1/",
        "/admin/workflows/edit/1/?p=abc",  # Wagtail reads the page number with int()
        "/admin/workflows/edit/1/?p=-1",
    ],
)
def test_wagtail_views_answer_a_value_they_cannot_read_with_a_client_error(staff_client, url):
    response = staff_client("Administrators", is_superuser=True).get(url)

    assert response.status_code in (400, 404)


def test_a_page_form_posted_without_its_block_counts_is_a_bad_request(staff_client, home_page):
    client = staff_client("Administrators", is_superuser=True)

    response = client.post(f"/admin/pages/{home_page.pk}/edit/", {"title": "Tiêu đề"})

    assert response.status_code == 400
    assert "Trang chủ thử nghiệm" in home_page.__class__.objects.get(pk=home_page.pk).title  # nothing changed


def test_a_next_address_that_is_a_plain_word_is_a_bad_request_not_a_500(staff_client):
    from tests.cms.factories import make_document

    document = make_document()
    client = staff_client("Administrators", is_superuser=True)

    response = client.post(f"/admin/documents/edit/{document.pk}/?next=abc", {"title": "Tờ rơi", "collection": 1})

    assert response.status_code == 400


def test_the_help_directory_listing_searches_and_sorts(staff_client, unit_tree):
    ServiceProvider.objects.create(name="Nhà tạm lánh", provider_type="shelter", phone="111")
    client = staff_client("Administrators", is_superuser=True)

    response = client.get("/admin/snippets/cms/serviceprovider/", {"q": "tạm lánh", "ordering": "-last_verified"})

    assert response.status_code == 200
    assert "Nhà tạm lánh" in response.content.decode()


def test_a_search_filtered_by_a_number_too_large_for_the_database_is_no_server_error(staff_client, home_page):
    from tests.cms.factories import make_image

    client = staff_client("Administrators", is_superuser=True)
    client.raise_request_exception = False
    make_image(title="Ảnh tháng hành động")

    huge = "99999999999999999999"
    response = client.get(
        "/admin/images/", {"q": huge, "usage_count_min": huge, "usage_count_max": huge, "collection_id": huge}
    )

    # The filter form has no upper bound: SQLite's driver refuses the number, PostgreSQL finds nothing.
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "Yêu cầu không hợp lệ" in response.content.decode()
