"""The Wagtail documents and images with the object storage down (an S3 endpoint on a loopback port
where nothing listens): a download or an upload says so with a 503 in the site's layout, never a 500."""

import pytest

from tests.certificates.test_certificates_storage import MESSAGES
from tests.ops.test_storage import on_dead_endpoint

pytestmark = pytest.mark.django_db


def test_a_document_download_while_the_storage_is_down_is_a_503_saying_so(client, home_page, settings, tmp_path):
    from tests.cms.factories import make_document

    document = make_document()
    on_dead_endpoint(settings, tmp_path)

    response = client.get(document.url)

    assert response.status_code == 503 and MESSAGES["vi"][1] in response.content.decode()


@pytest.mark.parametrize("kind", ["documents", "images"])
def test_an_upload_in_the_admin_while_the_storage_is_down_says_so_and_keeps_no_record(
    staff_client, home_page, settings, tmp_path, kind
):
    import io

    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    from PIL import Image as PillowImage

    client = staff_client("Administrators")
    upload = io.BytesIO()
    if kind == "images":
        PillowImage.new("RGB", (8, 8), (1, 2, 3)).save(upload, "PNG")
    else:
        upload.write(b"%PDF-1.4\n")
    upload.seek(0)
    upload.name = "tep.png" if kind == "images" else "tep.pdf"
    on_dead_endpoint(settings, tmp_path)

    response = client.post(f"/admin/{kind}/add/", {"title": "Tệp", "file": upload})

    assert response.status_code == 503 and MESSAGES["vi"][1] in response.content.decode()
    assert not get_document_model().objects.exists() and not get_image_model().objects.exists()
