"""Rendering a certificate says nothing on the console: no WeasyPrint, fontTools, HarfBuzz or Pango
warning. The usual cause of one is a missing library (HarfBuzz-Subset): `make pdf-libraries`."""

import logging
import subprocess
import sys
import warnings

import pytest

from certificates import pdf
from certificates.models import Certificate
from tests.accounts.factories import UserFactory
from tests.courses.factories import complete_course

pytestmark = pytest.mark.django_db

MISSING_LIBRARY = (
    "WeasyPrint found no HarfBuzz-Subset library: run `make pdf-libraries` (Debian's libharfbuzz-subset0)."
)


def test_weasyprint_finds_harfbuzz_subset_and_imports_without_a_warning():
    from weasyprint.text import ffi

    assert ffi.harfbuzz_subset is not None, MISSING_LIBRARY
    imported = subprocess.run(
        [sys.executable, "-W", "error", "-c", "import weasyprint"], capture_output=True, text=True, check=False
    )
    assert (imported.returncode, imported.stderr) == (0, "")


def test_issuing_and_rendering_a_certificate_logs_and_warns_nothing(
    course, unit_tree, django_capture_on_commit_callbacks, caplog, capfd
):
    learner = UserFactory(full_name="Nguyễn Thị Hằng", unit=unit_tree["HN-P-HK-CA"])
    pdf.font_configuration.cache_clear()  # a first render, as in a fresh process
    caplog.set_level(logging.WARNING)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with django_capture_on_commit_callbacks(execute=True):
            complete_course(learner, course)  # issues the certificate and renders its PDF
        rendered = pdf.render_pdf(Certificate.objects.get(user=learner))

    assert rendered.startswith(b"%PDF")
    assert [f"{record.name}: {record.getMessage()}" for record in caplog.records] == []
    assert [str(warning.message) for warning in caught] == []
    assert "WARNING" not in capfd.readouterr().err.upper()
