"""Editorial workflow: editors submit, moderators approve or ask for changes; scheduled publishing."""

import datetime
from unittest import mock

from django.core.management import call_command
from django.utils import timezone

from wagtail.models import Workflow

import pytest

from tests.accounts.factories import UserFactory
from tests.cms.factories import ArticlePageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_article(site_tree):
    return ArticlePageFactory(parent=site_tree["articles"], title="Bài chờ duyệt", slug="bai-cho-duyet", live=False)


def test_campaign_article_and_material_pages_are_under_moderator_approval(site_tree):
    for key in ("current", "article", "material"):
        workflow = site_tree[key].get_workflow()
        assert workflow is not None and workflow.name == "Moderator approval"
        assert [group.name for group in workflow.tasks.get().specific.groups.all()] == ["Moderators"]


def test_an_editor_submits_and_a_moderator_approves_then_the_page_is_live(draft_article):
    editor, moderator = UserFactory(roles=["Editors"]), UserFactory(roles=["Moderators"])
    draft_article.save_revision(user=editor)
    assert not draft_article.permissions_for_user(editor).can_publish()

    workflow_state = Workflow.objects.get(name="Moderator approval").start(draft_article, editor)
    task_state = workflow_state.current_task_state
    assert [action for action, _label, _modal in task_state.task.specific.get_actions(draft_article, editor)] == []

    task_state.task.specific.on_action(task_state, moderator, "approve")

    draft_article.refresh_from_db()
    assert draft_article.live
    workflow_state.refresh_from_db()
    assert workflow_state.status == "approved"


def test_a_moderator_can_ask_for_changes_and_the_page_stays_unpublished(draft_article):
    editor, moderator = UserFactory(roles=["Editors"]), UserFactory(roles=["Moderators"])
    draft_article.save_revision(user=editor)
    workflow_state = Workflow.objects.get(name="Moderator approval").start(draft_article, editor)

    task_state = workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, moderator, "reject")

    draft_article.refresh_from_db()
    workflow_state.refresh_from_db()
    assert not draft_article.live and workflow_state.status == "needs_changes"


def test_scheduled_publishing_makes_the_page_live_when_its_time_comes(draft_article):
    draft_article.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    revision = draft_article.save_revision()
    revision.publish()
    draft_article.refresh_from_db()
    assert not draft_article.live

    two_hours_later = timezone.now() + datetime.timedelta(hours=2)
    with mock.patch("django.utils.timezone.now", return_value=two_hours_later):
        call_command("publish_scheduled")

    draft_article.refresh_from_db()
    assert draft_article.live
