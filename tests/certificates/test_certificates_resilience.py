"""Certificates after a failure: one PDF whatever runs twice, the holder told at least once, and the
safety net (issue_missing_certificates) finishing what a failure left undone."""

import io
import uuid
from types import SimpleNamespace

from django.core import mail
from django.core.management import call_command
from django.db import OperationalError

import pytest
from django_tasks_db.models import DBTaskResult

from certificates import pdf, services
from certificates.models import Certificate, certificate_storage
from courses.models import Completion
from tests.accounts.factories import UserFactory
from tests.certificates.factories import CertificateFactory

pytestmark = pytest.mark.django_db


def files_of(certificate):
    """The PDF files stored for the certificate (each render names its own after the code)."""
    storage = certificate_storage()
    folder = str(certificate.year)
    if not storage.exists(folder):
        return []
    return [f"{folder}/{name}" for name in storage.listdir(folder)[1] if name.startswith(certificate.code)]


def safety_net():
    output = io.StringIO()
    call_command("issue_missing_certificates", stdout=output)
    return output.getvalue()


def test_a_slow_render_and_its_retry_keep_one_pdf_and_send_one_email(course, monkeypatch):
    # Issued in the test's transaction: its render, queued on commit, has not run.
    certificate = CertificateFactory(course=course["course"])
    assert not certificate.pdf and files_of(certificate) == []
    render, retried = pdf.render_pdf, []

    def slow_original(being_rendered):
        content = render(being_rendered)
        if not retried:  # while the original is still rendering, its retry runs from start to end
            retried.append(True)
            services.render_certificate.call(certificate.pk)
        return content

    monkeypatch.setattr(pdf, "render_pdf", slow_original)
    services.render_certificate.call(certificate.pk)

    certificate.refresh_from_db()
    assert retried and files_of(certificate) == [certificate.pdf.name]  # the original deleted its copy
    assert certificate.pdf.open("rb").read().startswith(b"%PDF")
    assert [message.to for message in mail.outbox] == [[certificate.user.email]]
    assert certificate.holder_notified_at is not None


def test_a_render_run_again_after_it_finished_changes_nothing_and_sends_nothing(
    course, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        certificate = CertificateFactory(course=course["course"])
    certificate.refresh_from_db()
    stored = certificate.pdf.name

    services.render_certificate.call(certificate.pk)

    certificate.refresh_from_db()
    assert certificate.pdf.name == stored and files_of(certificate) == [stored]
    assert len(mail.outbox) == 1


def test_when_the_mail_server_is_down_the_pdf_is_kept_and_the_safety_net_sends_the_mail_later(
    course, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        told = CertificateFactory(course=course["course"])
    # Nothing listens on this loopback port (this test's range): the SMTP connection is refused.
    mailers = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 5444, "timeout": 5},
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        untold = CertificateFactory(course=course["course"])  # the task fails on the e-mail; recorded, not raised
    untold.refresh_from_db()
    assert untold.pdf and untold.holder_notified_at is None
    stored = untold.pdf.name
    settings.MAILERS = mailers
    mail.outbox.clear()

    assert safety_net() == "Certificates issued: 0. PDFs or e-mails queued again: 1.\n"

    untold.refresh_from_db()
    assert [message.to for message in mail.outbox] == [[untold.user.email]]  # and not the one already told
    assert untold.holder_notified_at is not None and untold.pdf.name == stored
    assert told.user.email not in {address for message in mail.outbox for address in message.to}
    mail.outbox.clear()
    assert safety_net() == "Certificates issued: 0. PDFs or e-mails queued again: 0.\n"
    assert mail.outbox == []


def test_certificates_that_existed_before_the_field_are_not_mailed_again(course, django_capture_on_commit_callbacks):
    """Migration 0004 marks every certificate that already has a PDF as told."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    with django_capture_on_commit_callbacks(execute=True):
        certificate = CertificateFactory(course=course["course"])
    Certificate.objects.filter(pk=certificate.pk).update(holder_notified_at=None)
    mail.outbox.clear()
    executor = MigrationExecutor(connection)
    state = executor.loader.project_state(("certificates", "0004_holder_notified_at"))
    migration = executor.loader.get_migration("certificates", "0004_holder_notified_at")
    migration.operations[1].code(state.apps, None)

    safety_net()

    assert mail.outbox == []
    assert Certificate.objects.get(pk=certificate.pk).holder_notified_at is not None


def test_a_certificate_already_waiting_in_the_queue_is_not_queued_twice(
    course, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {**settings.TASKS, "background": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        waiting = CertificateFactory(course=course["course"])  # queued on commit, no worker yet
        lost = CertificateFactory(course=course["course"])
    # Only the renders: a certificate issued also queues the reports' unit figures refresh.
    renders = DBTaskResult.objects.filter(task_path__endswith=".render_certificate")
    renders.filter(args_kwargs__args=[lost.pk]).delete()  # as if its queueing had failed
    assert renders.count() == 1

    assert safety_net() == "Certificates issued: 0. PDFs or e-mails queued again: 1.\n"

    assert sorted(result.args_kwargs["args"] for result in renders) == [[waiting.pk], [lost.pk]]
    assert safety_net() == "Certificates issued: 0. PDFs or e-mails queued again: 0.\n"


def failing_enqueue(monkeypatch):
    def enqueue(*args):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "render_certificate", SimpleNamespace(enqueue=enqueue))


def failing_issue(monkeypatch):
    def issue(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "issue", issue)


# Transactional: the issuing runs on the commit of the learner's submission, inside the request.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    ("failure", "logged"),
    [
        (failing_enqueue, "its PDF could not be queued; issue_missing_certificates will queue it"),
        (failing_issue, "the certificate could not be issued; issue_missing_certificates will"),
    ],
    ids=["queueing", "issuing"],
)
def test_a_failure_after_the_final_quiz_committed_is_logged_not_a_500_and_the_safety_net_catches_up(
    client, course, failure, logged, monkeypatch, caplog
):
    from tests.courses.test_courses import post_quiz, right_answers

    learner = UserFactory(full_name="Lê Thị Lan", unit=None)
    client.force_login(learner)
    course_page = course["course"]
    complete_course_but_the_last_quiz(learner, course)
    failure(monkeypatch)  # the database drops just after the submission's commit

    response = post_quiz(client, course["quiz_two"], right_answers(course["quiz_two"]))

    assert response.status_code == 200  # the quiz result, not the 500 page
    assert Completion.objects.filter(user=learner, course=course_page).exists()
    assert [record.getMessage().partition(": ")[2] for record in caplog.records if record.name == "certificates"] == [
        logged + "."
    ]
    assert not Certificate.objects.filter(user=learner, pdf__gt="").exists() and mail.outbox == []

    monkeypatch.undo()
    safety_net()

    certificate = Certificate.objects.get(user=learner)
    assert certificate.pdf and [message.to for message in mail.outbox] == [[learner.email]]


def complete_course_but_the_last_quiz(learner, course):
    from courses import services as course_services

    course_page = course["course"]
    course_services.enrol(learner, course_page)
    course_services.mark_module_done(learner, course["lesson"].specific, course_page)
    quiz = course["quiz_one"].specific
    course_services.submit_quiz(learner, quiz, course_page, course_services.correct_answers(quiz), uuid.uuid4())
