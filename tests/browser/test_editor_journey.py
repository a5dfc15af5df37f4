"""In Chromium: an editor creates a page in the admin and submits it for moderation, a moderator
approves it and it is live; the programme page's figures change once a learner completes a
course. Each page is axe-scanned at 360 px and at desktop width.

Admin elements are found by ids, names and data attributes, never by their (translated) labels.
"""

import time

from wagtail.models import Page, WorkflowState

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.browser.helpers import serious_axe_findings_at_phone_and_desktop, sign_in
from tests.courses.factories import complete_course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = "Tập huấn cán bộ phường Hoàn Kiếm"


def staff_member(email, role):
    user = UserFactory(email=email, roles=[role])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


def figures(page):
    """The (this year, since 2021) figures of officials trained and certificates issued, as shown."""
    return {
        name: tuple(page.locator(f'[data-figure="{name}"] td').all_inner_texts())
        for name in ("officials-trained", "certificates-issued")
    }


def test_an_editor_publishes_through_moderation_and_the_programme_page_counts_live(
    browser, live_server, site_tree, course, settings
):
    settings.PROGRAMME_FIGURES_SECONDS = 1
    course["course"].area = 3  # training of officials
    course["course"].save()
    home = site_tree["home"]
    editor, editor_secret = staff_member("bien.tap@example.org", "Editors")
    moderator, moderator_secret = staff_member("kiem.duyet@example.org", "Moderators")
    learner = UserFactory(email="can.bo@example.org")
    phone = {"locale": "vi-VN", "viewport": {"width": 360, "height": 740}, "bypass_csp": True}
    desktop = {**phone, "viewport": {"width": 1280, "height": 800}}
    axe = {}  # each page's serious and critical axe findings, at 360 px and at desktop width

    # The editor writes a page and submits it: they may not publish.
    page = browser.new_context(**phone).new_page()
    sign_in(page, live_server.url, editor.email, editor_secret)
    page.goto(f"{live_server.url}/admin/pages/add/cms/standardpage/{home.pk}/")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_title").blur()  # the admin writes the slug from the title as the field is left
    expect(page.locator("#id_slug")).not_to_have_value("")  # after the admin's short debounce
    assert page.locator('button[name="action-publish"]').count() == 0
    axe["editor: new page"] = serious_axe_findings_at_phone_and_desktop(page)
    page.locator('button[name="action-submit"]').evaluate("button => button.click()")
    page.wait_for_url(f"{live_server.url}/admin/pages/{home.pk}/")
    created = Page.objects.get(title=TITLE)
    assert not created.live
    assert WorkflowState.objects.get(object_id=str(created.pk)).status == WorkflowState.STATUS_IN_PROGRESS
    axe["editor: after submitting"] = serious_axe_findings_at_phone_and_desktop(page)
    page.context.close()

    # The moderator approves it from the editor's page: it is published.
    page = browser.new_context(**desktop).new_page()
    sign_in(page, live_server.url, moderator.email, moderator_secret)
    page.goto(f"{live_server.url}/admin/pages/{created.pk}/edit/")
    axe["moderator: the page to review"] = serious_axe_findings_at_phone_and_desktop(page)
    approve = page.locator('[data-workflow-action-name="approve"]:not([data-workflow-action-modal-url])')
    with page.expect_navigation():
        approve.evaluate("button => button.click()")
    created.refresh_from_db()
    assert created.live
    page.context.close()

    # A visitor reads the new page, then the programme page; a learner completes the officials'
    # course, and past the figures' cache time the page counts them.
    page = browser.new_context(**phone).new_page()
    page.goto(f"{live_server.url}{created.url}")
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    axe["visitor: the new page"] = serious_axe_findings_at_phone_and_desktop(page)

    page.goto(f"{live_server.url}{site_tree['programme'].url}")
    assert figures(page) == {"officials-trained": ("0", "0"), "certificates-issued": ("0", "0")}
    axe["visitor: programme page"] = serious_axe_findings_at_phone_and_desktop(page)

    complete_course(learner, course)
    time.sleep(1.2)
    page.reload()
    assert figures(page) == {"officials-trained": ("1", "1"), "certificates-issued": ("1", "1")}
    page.context.close()
    assert {name: found for name, found in axe.items() if found} == {}
