"""Certificates: issued once per completion, a PDF as issued, served to the few allowed, verifiable by all."""

import datetime
import hashlib
import io
import re
import subprocess
import uuid
import zipfile

from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

import pytest
from pypdf import PdfReader

from audit.models import ExportLog
from certificates import pdf, services
from certificates.models import Certificate, CertificateSettings, ExpiryReminder
from cms.links import absolute_url
from courses import services as course_services
from courses.models import Completion
from tests.accounts.factories import ManagerScopeFactory, UserFactory
from tests.conftest import sign_in_past_second_factor
from tests.courses.factories import CompletionFactory, complete_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(course, unit_tree, django_capture_on_commit_callbacks):
    """A learner of the ward's police unit who completed the course: their certificate, rendered."""
    course["course"].certificate_validity_months = 24
    course["course"].save()
    learner = UserFactory(full_name="Nguyễn Thị Hằng", unit=unit_tree["HN-P-HK-CA"], email="hang@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        complete_course(learner, course)
    return Certificate.objects.get(user=learner)


def pdf_text(certificate):
    with certificate.pdf.open("rb") as file:
        reader = PdfReader(io.BytesIO(file.read()))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_completing_the_course_issues_one_certificate_and_announces_it(issued, course):
    today = timezone.localdate()
    assert Certificate.objects.count() == 1
    assert issued.serial == f"000001/{today.year}/GCN" and issued.serial_slug == f"000001-{today.year}-gcn"
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{16}", issued.code)
    assert issued.issued_on == today and issued.expires_on.year == today.year + 2
    assert issued.holder_name == "Nguyễn Thị Hằng" and issued.unit_name == "Công an phường Hoàn Kiếm"
    assert issued.pdf and issued.pdf_sha256 == hashlib.sha256(issued.pdf.open("rb").read()).hexdigest()

    [message] = mail.outbox
    assert message.to == ["hang@example.org"] and message.attachments == []
    assert message.subject == f"Giấy chứng nhận {issued.serial} của bạn đã sẵn sàng"  # nothing of the topic
    assert f"/certificates/{issued.serial_slug}.pdf" in message.body and f"/verify/{issued.code}/" in message.body


def test_finishing_again_issues_no_second_certificate(issued, course, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.issue(issued.completion)
        course_services.submit_quiz(
            issued.user,
            course["quiz_two"].specific,
            course["course"],
            course_services.correct_answers(course["quiz_two"].specific),
            uuid.uuid4(),
        )
    assert Certificate.objects.count() == 1


def test_serials_follow_the_format_in_settings_and_restart_each_year(course, monkeypatch):
    settings = CertificateSettings.load()
    settings.serial_format = "GCN-{year}-{number:04d}"
    settings.save()
    completions = [CompletionFactory(course=course["course"]) for _ in range(3)]

    serials = [services.issue(completion).serial for completion in completions[:2]]
    monkeypatch.setattr(services.timezone, "localdate", lambda: datetime.date(2031, 1, 2))
    serials.append(services.issue(completions[2]).serial)

    year = timezone.now().year
    assert serials == [f"GCN-{year}-0001", f"GCN-{year}-0002", "GCN-2031-0001"]


def test_a_serial_format_without_number_or_year_is_refused():
    from django.core.exceptions import ValidationError

    settings = CertificateSettings.load()
    for bad in ("GCN-{year}", "{number}", "{number}/{nam}", "{number:zz}/{year}"):
        settings.serial_format = bad
        with pytest.raises(ValidationError):
            settings.full_clean()


def test_a_course_without_certificates_issues_none_until_switched_on_then_the_command_catches_up(
    course, django_capture_on_commit_callbacks
):
    course["course"].issues_certificate = False
    course["course"].save()
    with django_capture_on_commit_callbacks(execute=True):
        complete_course(UserFactory(), course)
        complete_course(UserFactory(), course)
    assert Certificate.objects.count() == 0

    course["course"].issues_certificate = True
    course["course"].save()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("issue_missing_certificates", stdout=io.StringIO())
        call_command("issue_missing_certificates", stdout=io.StringIO())

    assert Certificate.objects.count() == 2
    assert all(certificate.pdf for certificate in Certificate.objects.all())


def test_the_pdf_holds_the_name_serial_and_verification_url_in_an_embedded_font(issued):
    reader, text = pdf_text(issued)

    assert len(reader.pages) == 1
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # A4 landscape
    assert "Nguyễn Thị Hằng" in text and f"Số: {issued.serial}" in text
    assert "GIẤY CHỨNG NHẬN" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert f"http://127.0.0.1:8000/verify/{issued.code}/" in text.replace("\n", "")
    fonts = {
        font["/BaseFont"] for font in (obj.get_object() for obj in reader.pages[0]["/Resources"]["/Font"].values())
    }
    assert fonts and all("Noto-Serif" in str(font) for font in fonts), fonts


def test_the_qr_code_decodes_to_the_verification_url(issued, tmp_path):
    from PIL import Image
    from pyzbar.pyzbar import decode

    pdf_file = tmp_path / "certificate.pdf"
    pdf_file.write_bytes(issued.pdf.open("rb").read())
    subprocess.run(["pdftoppm", "-png", "-r", "200", str(pdf_file), str(tmp_path / "page")], check=True)
    [decoded] = decode(Image.open(next(tmp_path.glob("page*.png"))))

    assert decoded.data.decode() == f"http://127.0.0.1:8000/verify/{issued.code}/"


@pytest.mark.parametrize(
    "hostile",
    ['<img src="file:///etc/passwd">', '<link rel=stylesheet href="http://127.0.0.1:9/">'],
)
def test_a_hostile_name_prints_literally_and_fetches_nothing(issued, hostile, monkeypatch):
    fetched = []
    read = pdf.ProjectFilesOnly.read

    def spy(url):
        fetched.append(url)
        return read(url)

    monkeypatch.setattr(pdf.ProjectFilesOnly, "read", staticmethod(spy))
    pdf.font_configuration.cache_clear()  # a fresh process: the fonts are fetched, through the spy
    issued.holder_name = hostile
    reader = PdfReader(io.BytesIO(pdf.render_pdf(issued)))

    assert hostile in reader.pages[0].extract_text().replace("\n", "")
    assert fetched and all(url.startswith("https://certificate.invalid/static/fonts/") for url in fetched), fetched


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/",
        "https://example.com/static/fonts/NotoSerif-Regular.ttf",
        "https://certificate.invalid/static/../../../../etc/passwd",
        "https://certificate.invalid/media/../../../../etc/passwd",
        "https://certificate.invalid/static/%2e%2e/%2e%2e/etc/passwd",
        "https://certificate.invalid/etc/passwd",
        "data:text/css,body{}",
    ],
)
def test_the_pdf_url_fetcher_refuses_everything_but_the_projects_own_files(url):
    with pytest.raises(ValueError, match="Refused"):
        pdf.ProjectFilesOnly().fetch(url)


def test_the_pdf_url_fetcher_serves_the_bundled_font():
    response = pdf.ProjectFilesOnly().fetch("https://certificate.invalid/static/fonts/NotoSerif-Regular.ttf")
    assert response.read()[:4] == b"\x00\x01\x00\x00"  # a TrueType font


def test_the_longest_name_and_title_stay_on_one_page(issued):
    issued.holder_name = "Nguyễn Thị Phương Thảo " * 6 + "Hằng"[: 150 - len("Nguyễn Thị Phương Thảo " * 6)]
    issued.holder_name = issued.holder_name[:150]
    issued.course_title = ("Tiếp nhận, xác minh và hỗ trợ người bị bạo lực trên cơ sở giới " * 5)[:255]
    reader = PdfReader(io.BytesIO(pdf.render_pdf(issued)))
    text = re.sub(r"\s+", "", reader.pages[0].extract_text())

    assert len(reader.pages) == 1
    assert re.sub(r"\s+", "", issued.holder_name) in text
    assert re.sub(r"\s+", "", issued.course_title) in text
    assert issued.code in text  # the footer is still there, below both


def test_the_holder_downloads_the_pdf_as_stored_under_a_neutral_name(client, issued):
    client.force_login(issued.user)
    response = client.get(f"/certificates/{issued.serial_slug}.pdf")

    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert hashlib.sha256(body).hexdigest() == issued.pdf_sha256
    assert f'filename="giay-chung-nhan-{issued.serial_slug}.pdf"' in response["Content-Disposition"]
    assert "private" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize(
    "who, status",
    [("ward manager", 200), ("city manager", 200), ("other ward manager", 404), ("stranger", 404), ("anonymous", 302)],
)
def test_only_the_holder_and_managers_over_their_unit_may_download(client, issued, unit_tree, who, status):
    scopes = {"ward manager": "HN-P-HK", "city manager": "HN", "other ward manager": "HN-X-SS"}
    if who in scopes:
        sign_in_past_second_factor(client, ManagerScopeFactory(unit=unit_tree[scopes[who]]).user)
    elif who == "stranger":
        client.force_login(UserFactory(unit=unit_tree["HN-P-HK-CA"]))

    assert client.get(f"/certificates/{issued.serial_slug}.pdf").status_code == status


def test_an_unknown_serial_and_a_pdf_not_yet_rendered_get_clear_answers(client, issued):
    client.force_login(issued.user)
    assert client.get("/certificates/999999-2026-gcn.pdf").status_code == 404

    Certificate.objects.filter(pk=issued.pk).update(pdf="", pdf_sha256="")
    response = client.get(f"/certificates/{issued.serial_slug}.pdf")

    assert response.status_code == 202
    assert "Giấy chứng nhận của bạn đang được chuẩn bị" in response.content.decode()


def test_the_verification_page_shows_a_valid_certificate_without_personal_contact_data(client, issued):
    html = client.get(f"/verify/{issued.code}/").content.decode()

    assert "Giấy chứng nhận này còn hiệu lực." in html
    for shown in (issued.holder_name, issued.course_title, issued.serial, issued.pdf_sha256, "1. Truyền thông"):
        assert shown in html
    assert issued.user.email not in html and "Công an phường" not in html


def test_a_typed_code_in_any_case_with_dashes_leads_to_its_page(client, issued):
    typed = services.grouped(issued.code).lower()

    response = client.get("/verify/", {"code": typed})

    assert response.status_code == 302 and response.url == f"/verify/{issued.code}/"


@pytest.mark.parametrize("code", ["0000000000000000", "ABC", "<script>", "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ", "%FF"])
def test_unknown_or_malformed_codes_get_a_clear_not_found_page(client, issued, code):
    response = client.get(f"/verify/{code}/")

    assert response.status_code == 404
    assert "Không có giấy chứng nhận nào mang mã này." in response.content.decode()


def test_a_code_with_a_nul_gets_the_400_page(client, issued):
    # NUL is refused where requests come in (cms.middleware), for every URL.
    client.raise_request_exception = False
    assert client.get("/verify/%00/").status_code == 400


def test_expired_revoked_and_replaced_certificates_say_so(client, issued, django_capture_on_commit_callbacks):
    Certificate.objects.filter(pk=issued.pk).update(expires_on=timezone.localdate() - datetime.timedelta(days=1))
    assert "Giấy chứng nhận này đã hết hạn." in client.get(f"/verify/{issued.code}/").content.decode()

    admin = UserFactory(roles=["Administrators"])
    with django_capture_on_commit_callbacks(execute=True):
        new = services.reissue(issued, admin, "Nguyễn Thị Hằng Nga")
    html = client.get(f"/verify/{issued.code}/").content.decode()
    assert "Giấy chứng nhận này đã được thay thế bằng giấy mới." in html and f"/verify/{new.code}/" in html

    services.revoke(new, "Cấp nhầm", admin)
    assert "Giấy chứng nhận này đã bị thu hồi." in client.get(f"/verify/{new.code}/").content.decode()


def test_verification_is_rate_limited(client, issued, settings):
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = "3/m/ip"
    statuses = [client.get(f"/verify/{services.new_code()}/").status_code for _ in range(4)]

    assert statuses == [404, 404, 404, 429]


def test_an_administrator_revokes_with_a_reason_in_the_audit_log(staff_client, issued):
    from wagtail.models import ModelLogEntry

    client = staff_client("Administrators")
    url = reverse("certificates:revoke", args=[issued.pk])

    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200 and "Lý do" in response.content.decode()
    assert Certificate.objects.get(pk=issued.pk).status == "issued"

    response = client.post(url, {"reason": "Hồ sơ gian lận"})
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.status == "revoked" and issued.revoked_reason == "Hồ sơ gian lận" and issued.revoked_at
    assert issued.revoked_by == client.user
    entry = ModelLogEntry.objects.get(action="certificates.revoke")
    assert entry.user == client.user and entry.data["reason"] == "Hồ sơ gian lận"


def test_an_administrator_reissues_after_a_name_correction(staff_client, issued, django_capture_on_commit_callbacks):
    from wagtail.models import ModelLogEntry

    client = staff_client("Administrators")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("certificates:reissue", args=[issued.pk]), {"holder_name": "Nguyễn Thị Hằng Nga"}
        )

    assert response.status_code == 302
    issued.refresh_from_db()
    new = issued.replaced_by
    assert issued.status == "replaced" and new.status == "issued" and new.serial != issued.serial
    assert new.number == issued.number + 1 and new.code != issued.code
    assert "Nguyễn Thị Hằng Nga" in pdf_text(new)[1]
    assert ModelLogEntry.objects.get(action="certificates.reissue").user == client.user


def test_a_manager_cannot_revoke_or_reissue(staff_client, issued, unit_tree):
    client = staff_client("Managers")
    ManagerScopeFactory(user=client.user, unit=unit_tree["HN"])

    # Wagtail answers a refused admin view by sending the user back to the dashboard, with a message.
    for action, data in (("revoke", {"reason": "x"}), ("reissue", {})):
        response = client.post(reverse(f"certificates:{action}", args=[issued.pk]), data)
        assert response.status_code == 302 and response.url == "/admin/"
    assert Certificate.objects.get(pk=issued.pk).status == "issued" and Certificate.objects.count() == 1


def test_expiry_reminders_go_30_and_7_days_before_and_never_twice(issued):
    mail.outbox.clear()
    expires = issued.expires_on

    def run(days_before):
        return services.send_expiry_reminders(today=expires - datetime.timedelta(days=days_before))

    assert [run(40), run(30), run(29), run(12), run(7), run(6), run(1)] == [0, 1, 0, 0, 1, 0, 0]
    assert [message.subject for message in mail.outbox] == [
        "Giấy chứng nhận của bạn sẽ hết hạn sau 30 ngày",
        "Giấy chứng nhận của bạn sẽ hết hạn sau 7 ngày",
    ]
    assert ExpiryReminder.objects.filter(certificate=issued).count() == 2


def test_certificate_mails_are_in_vietnamese_with_the_links_the_holder_needs(
    course, unit_tree, django_capture_on_commit_callbacks
):
    course["course"].certificate_validity_months = 24
    course["course"].save()
    learner = UserFactory(full_name="Trần Văn Nam", unit=unit_tree["HN-P-HK-CA"], email="nam@example.org")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        complete_course(learner, course)
    certificate = Certificate.objects.get(user=learner)
    with translation.override("en"):
        services.send_expiry_reminders(today=certificate.expires_on - datetime.timedelta(days=30))

    issued_mail, reminder = mail.outbox
    assert issued_mail.to == reminder.to == ["nam@example.org"]
    assert issued_mail.subject == f"Giấy chứng nhận {certificate.serial} của bạn đã sẵn sàng"
    assert reminder.subject == "Giấy chứng nhận của bạn sẽ hết hạn sau 30 ngày"
    for message in (issued_mail, reminder):
        assert "Chào Trần Văn Nam," in message.body
        assert f"trang học tập của bạn: {absolute_url('/my/')}" in message.body
    assert f"Bất kỳ ai cũng có thể kiểm tra tại:\n{absolute_url(f'/verify/{certificate.code}/')}" in issued_mail.body
    assert absolute_url(f"/certificates/{certificate.serial_slug}.pdf") in issued_mail.body
    assert "Sau ngày đó, bạn có thể học lại khóa học để được cấp giấy chứng nhận mới:" in reminder.body


def test_the_reminder_command_runs_daily_without_repeating(issued):
    Certificate.objects.filter(pk=issued.pk).update(expires_on=timezone.localdate() + datetime.timedelta(days=5))
    mail.outbox.clear()
    for _ in range(2):
        call_command("send_certificate_reminders", stdout=io.StringIO())

    assert len(mail.outbox) == 1 and "5 ngày" in mail.outbox[0].subject


def test_the_learners_page_lists_their_certificates(client, issued):
    client.force_login(issued.user)
    html = client.get("/my/").content.decode()

    assert "Giấy chứng nhận của tôi" in html
    assert f'href="/certificates/{issued.serial_slug}.pdf"' in html and issued.serial in html


def zip_names(response):
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return archive, sorted(archive.namelist())


def test_a_manager_downloads_the_pdfs_of_their_scope_as_a_zip(
    staff_client, issued, course, unit_tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        elsewhere = complete_course(UserFactory(unit=unit_tree["HN-X-SS"]), course)
    client = staff_client("Managers")
    ManagerScopeFactory(user=client.user, unit=unit_tree["HN-P-HK"])

    response = client.get("/admin/certificates/zip/", {"download": "1", "course": course["course"].pk})

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive, names = zip_names(response)
    assert names == [f"{issued.serial_slug}.pdf"]  # not the learner of the other commune
    assert hashlib.sha256(archive.read(names[0])).hexdigest() == issued.pdf_sha256
    assert Certificate.objects.filter(completion=elsewhere).exists()
    log = ExportLog.objects.get()  # like every export of learners' records
    assert (log.user, log.report, log.export_format) == (client.user, "certificates_zip", "zip")
    assert log.filters == {"course": str(course["course"].pk)} and log.row_count == 1


@pytest.mark.parametrize(
    "query, message",
    [
        ({"unit": "HN-X-SS"}, "Hãy chọn một lựa chọn hợp lệ."),
        ({"issued_from": "2026-12-31", "issued_to": "2026-01-01"}, "Ngày kết thúc đứng trước ngày bắt đầu."),
        ({"issued_from": "ngày mai"}, "Nhập một ngày hợp lệ."),
    ],
)
def test_a_zip_outside_the_scope_or_with_bad_filters_gets_a_message(staff_client, issued, unit_tree, query, message):
    client = staff_client("Managers")
    ManagerScopeFactory(user=client.user, unit=unit_tree["HN-P-HK"])
    if "unit" in query:
        query = {"unit": unit_tree[query["unit"]].pk}

    response = client.get("/admin/certificates/zip/", {"download": "1", **query})

    assert response.status_code == 400 and message in response.content.decode()
    assert not ExportLog.objects.exists()


def test_a_zip_that_matches_nothing_says_so(staff_client, issued, unit_tree):
    client = staff_client("Managers")
    ManagerScopeFactory(user=client.user, unit=unit_tree["HN-P-HK"])

    response = client.get("/admin/certificates/zip/", {"download": "1", "issued_to": "2020-01-01"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "Không có giấy chứng nhận nào khớp với bộ lọc" in response.content.decode()
    assert not ExportLog.objects.exists()  # no file, nothing exported


def test_managers_list_only_the_certificates_of_their_scope(staff_client, issued, unit_tree):
    client = staff_client("Managers")
    ManagerScopeFactory(user=client.user, unit=unit_tree["HN-X-SS"])

    assert issued.serial not in client.get("/admin/certificates/").content.decode()
    assert client.get(f"/admin/certificates/inspect/{issued.pk}/").status_code == 404


def lapse(certificate, days_ago=1):
    """Move a completion and its certificate back in time, past the end of its validity."""
    completed = timezone.localdate() - datetime.timedelta(days=days_ago) - datetime.timedelta(days=2 * 366)
    Completion.objects.filter(pk=certificate.completion_id).update(completed_on=completed)
    Certificate.objects.filter(pk=certificate.pk).update(
        completed_on=completed, expires_on=timezone.localdate() - datetime.timedelta(days=days_ago)
    )


def test_after_expiry_the_course_is_taken_again_and_a_new_certificate_issued(
    client, issued, course, django_capture_on_commit_callbacks
):
    client.force_login(issued.user)
    assert "Học lại khóa học" not in client.get(course["course"].url).content.decode()
    client.post(course["course"].url + "enrol/")
    assert issued.user.enrolments.count() == 1  # still valid: enrolling again changes nothing

    lapse(issued)
    assert "Học lại khóa học" in client.get(course["course"].url).content.decode()
    client.post(course["course"].url + "enrol/")
    assert issued.user.enrolments.count() == 2
    assert 'value="0"' in client.get(course["course"].url).content.decode()  # progress starts again
    with django_capture_on_commit_callbacks(execute=True):
        client.post(course["lesson"].url, {"mark_done": "1"})
        for key in ("quiz_one", "quiz_two"):
            answers = {
                f"q-{question}": sorted(choices)
                for question, choices in course_services.correct_answers(course[key].specific).items()
            }
            client.post(course[key].url, {"token": str(uuid.uuid4()), **answers})

    old, new = Certificate.objects.filter(user=issued.user).order_by("number")
    assert old.pk == issued.pk and old.state == "expired" and new.state == "valid"
    assert new.completion != old.completion and new.expires_on > timezone.localdate()
    html = client.get("/my/").content.decode()
    assert old.serial in html and new.serial in html


def test_a_re_issue_keeps_the_expiry_of_the_completion(issued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        new = services.reissue(issued, UserFactory(roles=["Administrators"]))

    assert new.expires_on == issued.expires_on == issued.completion.lapses_on


# Transactional: the worker opens and closes its own database connections, as in production.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_a_worker_the_pdf_is_made_in_the_background_and_the_download_waits_for_it(
    client, course, unit_tree, settings
):
    # As in production: the "background" tasks go to a database queue that a worker works through.
    settings.TASKS = {**settings.TASKS, "background": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    learner = UserFactory(unit=unit_tree["HN-P-HK-CA"])
    complete_course(learner, course)
    certificate = Certificate.objects.get(user=learner)
    client.force_login(learner)

    assert not certificate.pdf and mail.outbox == []
    assert client.get(certificate.get_absolute_url()).status_code == 202

    call_command("db_worker", "--backend=background", "--batch", "--no-startup-delay", verbosity=0)

    certificate.refresh_from_db()
    assert certificate.pdf and len(mail.outbox) == 1
    assert client.get(certificate.get_absolute_url()).status_code == 200


def test_the_signature_and_seal_from_settings_are_printed_from_the_projects_media(issued, monkeypatch):
    from tests.cms.factories import make_image

    settings = CertificateSettings.load()
    settings.signatory_name = "Trần Văn Ký"
    settings.signature = make_image("Chữ ký", colour=(0, 0, 120), size=(300, 120))
    settings.seal = make_image("Con dấu", colour=(200, 0, 0), size=(200, 200))
    settings.save()
    fetched = []
    read = pdf.ProjectFilesOnly.read
    monkeypatch.setattr(pdf.ProjectFilesOnly, "read", staticmethod(lambda url: fetched.append(url) or read(url)))

    reader = PdfReader(io.BytesIO(pdf.render_pdf(issued)))

    assert "Trần Văn Ký" in reader.pages[0].extract_text()
    assert len(reader.pages[0].images) == 2
    assert len([url for url in fetched if url.startswith("https://certificate.invalid/media/images/")]) == 2


def test_the_command_renders_a_pdf_whose_rendering_failed(issued):
    Certificate.objects.filter(pk=issued.pk).update(pdf="", pdf_sha256="")

    call_command("issue_missing_certificates", stdout=io.StringIO())

    issued.refresh_from_db()
    assert issued.pdf and issued.pdf_sha256 == hashlib.sha256(issued.pdf.open("rb").read()).hexdigest()
    assert Certificate.objects.count() == 1
