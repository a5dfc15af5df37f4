"""`make run` prints e-mails as readable UTF-8 text, the confirmation link in clear (config/settings/dev.py)."""

import base64
import importlib
import io
import re

from django.core import mail

import pytest

from accounts.readable_console_mail import ReadableConsoleEmailBackend
from tests.accounts.factories import signup_data

pytestmark = pytest.mark.django_db


def printed(messages):
    stream = io.StringIO()
    ReadableConsoleEmailBackend(stream=stream).send_messages(messages)
    return stream.getvalue()


def test_development_settings_print_mail_with_the_readable_backend():
    dev = importlib.import_module("config.settings.dev")

    assert dev.MAILERS["default"]["BACKEND"] == "accounts.readable_console_mail.ReadableConsoleEmailBackend"


def test_the_confirmation_mail_reads_in_vietnamese_with_its_link_in_clear(client, home_page, unit_tree):
    client.post("/accounts/signup/?next=/khoa-hoc/", signup_data(next="/khoa-hoc/"))
    [message] = mail.outbox
    link = re.search(r"http://testserver/accounts/confirm-email/\S+", message.body).group(0)

    text = printed([message])

    assert "Subject: Vui lòng xác nhận địa chỉ e-mail của bạn" in text
    assert "To: lan.nguyen@example.org" in text
    assert "Chương trình thử nghiệm" in text  # the body, in Vietnamese
    assert any(line.endswith(f" {link}") or line == link for line in text.split("\n"))  # whole, clickable
    assert "base64" not in text and base64.b64encode(link.encode()).decode()[:20] not in text


def test_attachments_are_named_not_dumped():
    message = mail.EmailMultiAlternatives("Giấy chứng nhận", "Xin chào chị Lan.", None, ["lan@example.org"])
    message.attach_alternative("<p>Xin chào chị Lan.</p>", "text/html")
    message.attach("giay-chung-nhan.pdf", b"%PDF-1.7 binary", "application/pdf")

    text = printed([message])

    assert "Subject: Giấy chứng nhận" in text
    assert "[text/plain]\nXin chào chị Lan." in text and "[text/html]\n<p>Xin chào chị Lan.</p>" in text
    assert "[application/pdf: giay-chung-nhan.pdf, not shown]" in text and "%PDF" not in text
