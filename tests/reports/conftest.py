"""Fixtures the report tests share."""

import datetime

from django.utils import timezone

import pytest

from courses import assignments
from courses import services as course_services
from tests.accounts.factories import UserFactory
from tests.courses.factories import complete_course


@pytest.fixture
def records(course, unit_tree, django_capture_on_commit_callbacks):
    """In the ward: one finished (with a certificate), one half-way, one assigned and not started;
    in the commune: one finished. The course is assigned to the ward, due in ten days."""
    assignments.assign(course["course"], [unit_tree["HN-P-HK"]], timezone.localdate() + datetime.timedelta(10), None)
    people = {
        "done": UserFactory(full_name="Nguyễn Văn Xong", unit=unit_tree["HN-P-HK-CA"], position="Cán bộ"),
        "half": UserFactory(full_name="Trần Thị Dở", unit=unit_tree["HN-P-HK-TYT"]),
        "idle": UserFactory(full_name="Lê Văn Chưa", unit=unit_tree["HN-P-HK-CA"]),
        "commune": UserFactory(full_name="Phạm Thị Xã", unit=unit_tree["HN-X-SS"]),
    }
    with django_capture_on_commit_callbacks(execute=True):
        complete_course(people["done"], course)
        complete_course(people["commune"], course)
    course_services.enrol(people["half"], course["course"])
    course_services.mark_module_done(people["half"], course["lesson"].specific, course["course"])
    return people
