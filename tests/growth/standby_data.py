"""Run inside the app's Django (`manage.py shell`, on the primary) by tests/growth/test_standby.py:
set up a ward, its manager and learners, complete a course; each function returns plain JSON data."""

from django.test import Client

from audit.models import ExportLog
from courses.models import CoursePage, ModulePage
from tests.accounts.factories import ManagerScopeFactory, OrganisationUnitFactory, UserFactory
from tests.cms.factories import make_home_page
from tests.conftest import QUICK_EXIT_URL, sign_in_past_second_factor
from tests.courses.factories import complete_course, make_course


def session_of(user, staff=False):
    client = Client()
    if staff:
        sign_in_past_second_factor(client, user)
    else:
        client.force_login(user)
    return client.cookies["sessionid"].value


def prepare():
    """The schema (in this process: one Django start less), then a ward with a manager, one learner
    who finished the course and one who has not started."""
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    course = make_course(make_home_page(quick_exit_url=QUICK_EXIT_URL))
    city = OrganisationUnitFactory(code="HN", name="Thành phố Hà Nội", type="city")
    ward = OrganisationUnitFactory(code="HN-P-HK", name="Phường Hoàn Kiếm", type="ward", parent=city)
    manager = UserFactory(roles=["Managers"], full_name="Quản Lý Phường")
    ManagerScopeFactory(user=manager, unit=ward)
    finished = UserFactory(full_name="Người Đã Xong", unit=ward)
    later = UserFactory(full_name="Người Xong Sau", unit=ward)
    complete_course(finished, course)
    return {
        "manager": session_of(manager, staff=True),
        "later": session_of(later),
        "later_email": later.email,
    }


def complete(email):
    """The learner finishes the course (every module), on the primary."""
    from accounts.models import User

    course = CoursePage.objects.get(slug="hieu-dung")
    modules = {page.slug: page for page in ModulePage.objects.child_of(course)}
    fixture = {
        "course": course,
        "lesson": modules["khai-niem"],
        "quiz_one": modules["hinh-thuc"],
        "quiz_two": modules["tim-tro-giup"],
    }
    return complete_course(User.objects.get(email=email), fixture).pk


def export_logs():
    return list(ExportLog.objects.order_by("pk").values_list("report", "export_format", "row_count"))
