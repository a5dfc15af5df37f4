"""Files on S3-compatible storage, against a real endpoint: moto in server mode on a loopback port of
these tests, stopped for an outage and started again.

Certificates are issued, stored in the private bucket and served only after the site's own checks;
with the endpoint down, downloads say so in Vietnamese (503), pages with images still answer, and a
certificate issued meanwhile is rendered by the worker once the endpoint is back, its holder told once.
"""

import contextlib
import hashlib
import io
import time

from django.core import mail
from django.core.cache import caches
from django.core.management import call_command
from django.utils import timezone

import pytest
from django_tasks_db.models import DBTaskResult

from certificates.models import Certificate
from ops.storage import storages_from_environment
from ops.worker import ResilientWorker
from tests.accounts.factories import ManagerScopeFactory, UserFactory
from tests.conftest import sign_in_past_second_factor
from tests.courses.factories import complete_course
from tests.growth.s3_endpoint import MotoServer

PORT = 9010  # this test's loopback port (9010-9019)
MEDIA_BUCKET, PRIVATE_BUCKET = "gbv-media", "gbv-private"
STORAGE_DOWN_VI = "Hiện chưa thể lấy hoặc lưu tệp bạn yêu cầu"


@pytest.fixture(scope="session")
def moto():
    server = MotoServer(PORT, buckets=(MEDIA_BUCKET, PRIVATE_BUCKET))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3(moto, settings, tmp_path):
    """STORAGES on the moto endpoint, as production builds them from its environment."""
    if not moto.answers():  # a test stopped it and failed before starting it again
        moto.start()
    settings.STORAGES = {
        **storages_from_environment(
            moto.environment(MEDIA_BUCKET, PRIVATE_BUCKET), private_media_root=tmp_path / "unused"
        ),
        "staticfiles": settings.STORAGES["staticfiles"],
    }
    settings.CERTIFICATE_RENDER_RETRY_SECONDS = 1
    return moto


def issue_for(learner, course):
    """The learner's certificate, issued on the commit of the course's completion."""
    complete_course(learner, course)
    return Certificate.objects.get(user=learner)


def download(client, certificate):
    response = client.get(certificate.get_absolute_url())
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def run_worker():
    """The production worker loop in batch mode: runs what is ready in the queue, then returns."""
    ResilientWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="background",
        startup_delay=False,
        max_tasks=None,
        worker_id="storage-test",
        excluded_queue_names=[],
    ).run()


@pytest.mark.django_db
def test_a_certificate_lives_in_the_private_bucket_and_is_served_only_after_the_sites_checks(
    s3, client, course, unit_tree, django_capture_on_commit_callbacks
):
    learner = UserFactory(full_name="Nguyễn Thị Hằng", unit=unit_tree["HN-P-HK-CA"])
    with django_capture_on_commit_callbacks(execute=True):  # rendered on commit (the immediate backend)
        complete_course(learner, course)
    certificate = Certificate.objects.get(user=learner)

    stored = s3.objects(PRIVATE_BUCKET)
    assert list(stored) == [certificate.pdf.name]
    assert hashlib.sha256(s3.read(PRIVATE_BUCKET, certificate.pdf.name)).hexdigest() == certificate.pdf_sha256
    assert s3.objects(MEDIA_BUCKET) == {}  # nothing private in the bucket whose images are public

    client.force_login(learner)
    response, body = download(client, certificate)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert hashlib.sha256(body).hexdigest() == certificate.pdf_sha256

    sign_in_past_second_factor(client, ManagerScopeFactory(unit=unit_tree["HN-P-HK"]).user)
    response, body = download(client, certificate)
    assert response.status_code == 200 and hashlib.sha256(body).hexdigest() == certificate.pdf_sha256

    sign_in_past_second_factor(client, ManagerScopeFactory(unit=unit_tree["HN-X-SS"]).user)
    assert client.get(certificate.get_absolute_url()).status_code == 404
    client.force_login(UserFactory(unit=unit_tree["HN-P-HK-CA"]))
    assert client.get(certificate.get_absolute_url()).status_code == 404

    health = client.get("/healthz").json()
    assert (health["status"], health["storage"]) == ("ok", "up")


# Transactional: the worker opens and closes its own database connections, as in production.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_endpoint_down_downloads_say_so_pages_answer_and_the_worker_renders_once_it_is_back(
    s3, client, course, unit_tree, site_tree, settings, caplog
):
    from wagtail.images import get_image_model

    holder = UserFactory(unit=unit_tree["HN-P-HK-CA"])
    certificate = issue_for(holder, course)
    document = site_tree["document"]
    assert client.get(document.url).status_code == 200  # through Wagtail's view, from the bucket
    assert site_tree["image"].file.name in s3.objects(MEDIA_BUCKET)
    # Renditions made while the endpoint is down: none exists yet, none is cached.
    get_image_model().get_rendition_model().objects.all().delete()
    for alias in settings.CACHES:
        caches[alias].clear()
    settings.TASKS = {**settings.TASKS, "background": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    s3.stop()
    try:
        client.force_login(holder)
        started = time.monotonic()
        response = client.get(certificate.get_absolute_url())
        assert time.monotonic() - started < 5  # fails fast, never botocore's minute
        assert response.status_code == 503 and int(response["Retry-After"]) > 0
        assert STORAGE_DOWN_VI in response.content.decode()

        response = client.get(document.url)
        assert response.status_code == 503 and STORAGE_DOWN_VI in response.content.decode()

        health = client.get("/healthz")
        assert health.status_code == 200
        assert (health.json()["status"], health.json()["storage"], health.json()["database"]) == (
            "degraded",
            "down",
            "up",
        )

        client.logout()
        for page in ("home", "article", "current", "material"):
            assert client.get(site_tree[page].url).status_code == 200, page
        assert not get_image_model().get_rendition_model().objects.exists()  # tried, shown as missing

        learner = UserFactory(full_name="Phạm Văn Long", unit=unit_tree["HN-P-HK-TYT"])
        waiting = issue_for(learner, course)  # queued on commit; the worker meets the endpoint down
        mail.outbox.clear()
        run_worker()
        waiting.refresh_from_db()
        assert not waiting.pdf and mail.outbox == []
        [retry] = DBTaskResult.objects.filter(status="READY", args_kwargs__args=[waiting.pk])
        assert retry.run_after > timezone.now() - timezone.timedelta(seconds=1)
        assert any("rendering again in 1 s" in record.getMessage() for record in caplog.records)
    finally:
        s3.start()

    time.sleep(1.1)  # the retry's run_after
    run_worker()

    waiting.refresh_from_db()
    assert waiting.pdf and waiting.pdf.name in s3.objects(PRIVATE_BUCKET)
    assert [message.to for message in mail.outbox] == [[learner.email]]
    client.force_login(learner)
    response, body = download(client, waiting)
    assert response.status_code == 200 and hashlib.sha256(body).hexdigest() == waiting.pdf_sha256
    assert client.get("/healthz").json()["storage"] == "up"
    run_worker()  # nothing left: no second e-mail
    assert len(mail.outbox) == 1


def test_moving_local_files_into_the_buckets_twice_copies_them_once(s3, tmp_path):  # no database needed
    media, private = tmp_path / "media", tmp_path / "private_media"
    (media / "original_images").mkdir(parents=True)
    (media / "documents").mkdir()
    (private / "2026").mkdir(parents=True)
    (media / "original_images" / "anh.png").write_bytes(b"\x89PNG image")
    (media / "documents" / "to-roi.pdf").write_bytes(b"%PDF-1.4 leaflet")
    (private / "2026" / "ABC-1234.pdf").write_bytes(b"%PDF-1.4 certificate")

    def move(*args):
        output = io.StringIO()
        call_command(
            "move_files_to_storage", f"--media-root={media}", f"--private-root={private}", *args, stdout=output
        )
        return output.getvalue()

    assert move("--dry-run") == (
        "default: 2 would copy, 0 skipped (already there), 0 failed.\n"
        "certificates: 1 would copy, 0 skipped (already there), 0 failed.\n"
    )
    assert s3.objects(MEDIA_BUCKET) == {} and s3.objects(PRIVATE_BUCKET) == {}

    assert move() == (
        "default: 2 copied, 0 skipped (already there), 0 failed.\n"
        "certificates: 1 copied, 0 skipped (already there), 0 failed.\n"
    )
    assert move() == (
        "default: 0 copied, 2 skipped (already there), 0 failed.\n"
        "certificates: 0 copied, 1 skipped (already there), 0 failed.\n"
    )
    assert s3.objects(MEDIA_BUCKET) == {"documents/to-roi.pdf": 16, "original_images/anh.png": 10}
    assert s3.read(PRIVATE_BUCKET, "2026/ABC-1234.pdf") == b"%PDF-1.4 certificate"

    # A local file changed since (same size, other bytes): copied again, the rest skipped.
    (media / "documents" / "to-roi.pdf").write_bytes(b"%PDF-1.4 LEAFLET")
    assert move().splitlines()[0] == "default: 1 copied, 1 skipped (already there), 0 failed."
    assert s3.read(MEDIA_BUCKET, "documents/to-roi.pdf") == b"%PDF-1.4 LEAFLET"


@pytest.fixture(autouse=True)
def _empty_buckets(moto):
    yield
    with contextlib.suppress(Exception):  # stopped by a failing test: the next start is empty anyway
        moto.empty(MEDIA_BUCKET, PRIVATE_BUCKET)
