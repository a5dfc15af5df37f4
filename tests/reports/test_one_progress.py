"""A learner's progress in a course is one number wherever it is shown: the course page, the
catalogue, /my/ and the completion records count the same live modules with the same formula."""

import uuid

import pytest

from courses import services
from courses.models import ModulePage
from reports.rows import CompletionRows
from tests.accounts.factories import ManagerScopeFactory, UserFactory
from tests.courses.factories import complete_course

pytestmark = pytest.mark.django_db


def shown_progress(client, learner, course, city_manager):
    """The percent each place shows the learner for the course."""
    client.force_login(learner)
    course_page = client.get(course["course"].url).context
    catalogue = client.get(course["catalogue"].url).context
    dashboard = client.get("/my/").context
    (row,) = [row for row in CompletionRows(city_manager) if row.full_name == learner.full_name]
    return {
        "course page": course_page["percent"],
        "catalogue": catalogue["courses"][0].percent,
        "/my/": [row["percent"] for row in dashboard["in_progress"] + dashboard["completed"]][0],
        "completion records": row.progress,
    }


def test_every_place_shows_the_same_progress(client, course, unit_tree):
    unit = unit_tree["HN-P-HK-CA"]
    one, two, done = (UserFactory(full_name=name, unit=unit) for name in ("Một", "Hai", "Xong"))
    for learner, modules in ((one, ["lesson"]), (two, ["lesson", "quiz_one"])):
        services.enrol(learner, course["course"])
        services.mark_module_done(learner, course["lesson"].specific, course["course"])
        if "quiz_one" in modules:
            quiz = course["quiz_one"].specific
            services.submit_quiz(learner, quiz, course["course"], services.correct_answers(quiz), uuid.uuid4())
    complete_course(done, course)
    # Since then: the last module went back to draft and a new one was published. Three live
    # modules, the draft not among them; a completion stays complete.
    course["quiz_two"].specific.unpublish()
    course["course"].add_child(instance=ModulePage(title="Mô-đun mới", slug="moi"))
    city_manager = UserFactory(roles=["Managers"])
    ManagerScopeFactory(user=city_manager, unit=unit_tree["HN"])

    for learner, expected in ((one, 33), (two, 67), (done, 100)):
        shown = shown_progress(client, learner, course, city_manager)
        assert shown == dict.fromkeys(shown, expected), learner.full_name
