"""The 500 page gives the request's id to quote to support and promises nothing (issue 14 item 5)."""

import json
import logging.config

from django.conf import settings

import pytest

from cms.models import HomePage
from ops.logs import logging_config

pytestmark = pytest.mark.django_db

TEXTS = {
    "vi": (
        "Đã có lỗi xảy ra",
        "Nếu lỗi vẫn tiếp diễn, hãy liên hệ bộ phận hỗ trợ và cung cấp mã lỗi dưới đây.",
        "Mã lỗi:",
    ),
    "en": ("Something went wrong", "contact support and give them the error code below.", "Error code:"),
}


@pytest.fixture
def failing_home_page(home_page, monkeypatch):
    def fail(self, request, *args, **kwargs):
        raise RuntimeError("the page broke")

    monkeypatch.setattr(HomePage, "serve", fail)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_500_page_shows_the_request_id_and_claims_nothing(client, failing_home_page, language, capsys):
    if language == "en":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.raise_request_exception = False
    logging.config.dictConfig(logging_config(json_lines=True, level="INFO"))
    try:
        response = client.get("/")
        logged = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    finally:
        logging.config.dictConfig(settings.LOGGING)

    assert response.status_code == 500
    html = response.content.decode()
    heading, advice, label = TEXTS[language]
    request_id = response["X-Request-ID"]
    assert f'<html lang="{language}">' in html and f"<h1>{heading}</h1>" in html and advice in html
    assert f'{label} <code class="error-code">{request_id}</code>' in html
    for claim in ("recorded", "ghi nhận", "the page broke", "Traceback"):
        assert claim not in html
    # The code the learner quotes finds the error's log line, traceback included.
    error = next(entry for entry in logged if entry["logger"] == "django.request")
    assert error["request_id"] == request_id and "RuntimeError: the page broke" in error["traceback"]
