"""Item 14 probe."""

import logging
import warnings

import pytest

from certificates import pdf
from certificates.models import Certificate
from tests.accounts.factories import UserFactory
from tests.courses.factories import complete_course

pytestmark = pytest.mark.django_db


def test_probe(course, unit_tree, django_capture_on_commit_callbacks, caplog, capfd):
    learner = UserFactory(full_name="Nguyễn Thị Hằng", unit=unit_tree["HN-P-HK-CA"])
    caplog.set_level(logging.DEBUG)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with django_capture_on_commit_callbacks(execute=True):
            complete_course(learner, course)
        certificate = Certificate.objects.get(user=learner)
        pdf.render_pdf(certificate)
    out, err = capfd.readouterr()
    print([(r.name, r.levelname, r.getMessage()[:200]) for r in caplog.records if r.levelno >= logging.INFO])
    print(caught, "ERR:", err[-3000:])
    assert 0
