"""Certificates and the object storage, without a network: the PDF field follows STORAGES, and with
the storage down (an S3 endpoint on a loopback port where nothing listens) downloads answer 503 in
the visitor's language and the render is tried again later, nothing lost."""

import datetime
import hashlib

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

import pytest
from django_tasks_db.models import DBTaskResult

from audit.models import ExportLog
from certificates import services
from certificates.models import Certificate
from tests.accounts.factories import ManagerScopeFactory, UserFactory
from tests.courses.factories import complete_course
from tests.ops.test_storage import on_dead_endpoint

pytestmark = pytest.mark.django_db

MESSAGES = {
    "vi": ("Kho tệp đang tạm gián đoạn", "Hiện chưa thể lấy hoặc lưu tệp bạn yêu cầu"),
    "en": ("Files are briefly unavailable", "The file you asked for cannot be fetched or saved right now"),
}


@pytest.fixture
def issued(course, unit_tree, django_capture_on_commit_callbacks):
    learner = UserFactory(full_name="Nguyễn Thị Hằng", unit=unit_tree["HN-P-HK-CA"])
    with django_capture_on_commit_callbacks(execute=True):
        complete_course(learner, course)
    return Certificate.objects.get(user=learner)


def test_the_pdf_goes_to_the_storage_settings_name_now_not_at_import(
    settings, tmp_path, course, unit_tree, django_capture_on_commit_callbacks
):
    settings.STORAGES = {
        **settings.STORAGES,
        "certificates": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    with django_capture_on_commit_callbacks(execute=True):
        complete_course(UserFactory(unit=unit_tree["HN-P-HK-CA"]), course)

    certificate = Certificate.objects.get()
    assert hashlib.sha256((tmp_path / certificate.pdf.name).read_bytes()).hexdigest() == certificate.pdf_sha256


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_download_while_the_storage_is_down_is_a_503_saying_so(client, issued, settings, tmp_path, language):
    on_dead_endpoint(settings, tmp_path)
    client.force_login(issued.user)
    if language == "en":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(issued.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert all(text in html for text in MESSAGES[language])
    assert f'<html lang="{language}">' in html


def test_a_zip_while_the_storage_is_down_says_so_before_any_byte(staff_client, issued, unit_tree, settings, tmp_path):
    client = staff_client("Managers")
    ManagerScopeFactory(user=client.user, unit=unit_tree["HN-P-HK"])
    on_dead_endpoint(settings, tmp_path)

    response = client.get("/admin/certificates/zip/", {"download": "1"})

    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "Hiện chưa thể truy cập tệp giấy chứng nhận" in response.content.decode()
    assert not ExportLog.objects.exists()


# Transactional: the worker opens and closes its own database connections, as in production.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_render_that_meets_the_storage_down_is_queued_again_later_and_the_holder_told_once(
    course, unit_tree, settings, tmp_path, caplog
):
    settings.TASKS = {**settings.TASKS, "background": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.CERTIFICATE_RENDER_RETRY_SECONDS = 90
    disk = settings.STORAGES
    on_dead_endpoint(settings, tmp_path)
    complete_course(UserFactory(unit=unit_tree["HN-P-HK-CA"]), course)
    certificate = Certificate.objects.get()

    call_command("db_worker", "--backend=background", "--batch", "--no-startup-delay", verbosity=0)

    certificate.refresh_from_db()
    assert not certificate.pdf and mail.outbox == []
    retry = DBTaskResult.objects.get(status="READY", task_path__endswith=".render_certificate")
    assert retry.args_kwargs["args"] == [certificate.pk]
    assert timezone.now() + datetime.timedelta(seconds=80) < retry.run_after
    assert retry.run_after < timezone.now() + datetime.timedelta(seconds=91)
    assert f"Certificate {certificate.pk}: the storage failed" in caplog.text and "again in 90 s" in caplog.text
    assert services.issue_missing() == ([], [])  # the retry is on its way: not queued twice

    settings.STORAGES = disk  # the storage is back, and the retry's time has come
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    call_command("db_worker", "--backend=background", "--batch", "--no-startup-delay", verbosity=0)

    certificate.refresh_from_db()
    assert certificate.pdf and [message.to for message in mail.outbox] == [[certificate.user.email]]


def test_without_a_queue_that_can_wait_the_safety_net_renders_it_later(
    issued, settings, tmp_path, caplog, django_capture_on_commit_callbacks
):
    # The immediate backend (development): no delayed run; issue_missing_certificates catches up.
    Certificate.objects.filter(pk=issued.pk).update(pdf="", pdf_sha256="", holder_notified_at=None)
    mail.outbox.clear()
    disk = settings.STORAGES
    on_dead_endpoint(settings, tmp_path)

    services.render_certificate.call(issued.pk)

    assert "issue_missing_certificates will render it" in caplog.text
    assert not Certificate.objects.get(pk=issued.pk).pdf and mail.outbox == []
    settings.STORAGES = disk
    assert services.issue_missing() == ([], [issued.pk])
    assert Certificate.objects.get(pk=issued.pk).pdf and len(mail.outbox) == 1
