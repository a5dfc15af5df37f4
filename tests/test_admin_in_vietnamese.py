"""The admin speaks Vietnamese: no message is looked up without a Vietnamese translation (issue 16 item 8).

Each role walks the admin views it works in (dashboard, page explorer and editor for every page
type, moderation, snippets, images, documents, reports with filters and their exports,
assignments, certificates, settings, account and TOTP pages, searches and paginated listings) with
Vietnamese active, while a hook on Django's translation objects records every message the
Vietnamese catalogue does not hold. The test fails listing them all, so a gap in
vendor_locale/vi (Wagtail, allauth, Django) or locale/vi (the project) shows up by name.

What is recorded is the lookup, not the HTML: a translation equal to its msgid ("Email", "PDF")
is not a gap, an English word in user data is not one either. JavaScript-side strings (Wagtail's
djangojs catalogue, read by the browser from /admin/jsi18n/) never pass through this hook; the
strings Wagtail hands its JavaScript through wagtailConfig are looked up in Python and do.
"""

import io
import os
import re
from contextlib import contextmanager
from pathlib import Path

from django.core.management import call_command
from django.db import transaction
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import trans_real

import pytest

LANGUAGE = "vi"

# Lookups that are not language: Django asks the catalogue for its format names ("DATE_FORMAT",
# "DATETIME_INPUT_FORMATS"…) so a locale may override them, and code passes strings without a
# letter (separators, "%s", "") through gettext; neither has anything to translate.
FORMAT_NAME = re.compile(r"^[A-Z_]+_FORMATS?$|^(DECIMAL_SEPARATOR|THOUSAND_SEPARATOR|NUMBER_GROUPING)$")
NO_LETTER = re.compile(r"^[\W\d_]*$")

CONTEXT_SEPARATOR = "\x04"  # how pgettext/npgettext prefix a message with its context


def is_language(msgid):
    return not (NO_LETTER.match(msgid) or FORMAT_NAME.match(msgid))


@contextmanager
def untranslated_lookups():
    """Record every lookup the Vietnamese catalogue misses while inside: {(context, msgid): msgid_plural}.

    Django's gettext, pgettext and their lazy forms end in DjangoTranslation.gettext (pgettext asks
    for "context\\x04msgid"); ngettext and npgettext in DjangoTranslation.ngettext. The hook asks
    the merged catalogue whether the key is there, which is what "translated" means to gettext.
    """
    missing = {}
    translation_class = trans_real.DjangoTranslation
    original_gettext, original_ngettext = translation_class.gettext, translation_class.ngettext

    def note(translation, msgid, key, plural=None):
        if translation.language() != LANGUAGE or key in translation._catalog:
            return
        context, _separator, message = msgid.rpartition(CONTEXT_SEPARATOR)
        if is_language(message):
            missing[context, message] = plural

    def gettext(self, message):
        note(self, message, message)
        return original_gettext(self, message)

    def ngettext(self, msgid1, msgid2, n):
        note(self, msgid1, (msgid1, 0), msgid2)  # Vietnamese has one plural form, index 0
        return original_ngettext(self, msgid1, msgid2, n)

    translation_class.gettext, translation_class.ngettext = gettext, ngettext
    try:
        yield missing
    finally:
        translation_class.gettext, translation_class.ngettext = original_gettext, original_ngettext


# ---------------------------------------------------------------------------------------------------
# The demo site with enough rows for every listing to have a second page, loaded once.

ROWS_FOR_A_SECOND_PAGE = 25  # Wagtail's listings show 20 (images 30 in a grid, via ?p=2 still)


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("load_demo_data", stdout=io.StringIO())
        # Outside the capture: the extra certificates' PDFs are never rendered (nothing here reads them).
        pages = add_rows_and_moderation()
        yield pages
        transaction.set_rollback(True)


def add_rows_and_moderation():
    """Rows enough for pagination, a page in moderation and a locked page, so those views render."""
    from wagtail.models import Collection, Page, Workflow

    from accounts.models import OrganisationUnit, User
    from courses.models import CoursePage
    from tests.accounts.factories import OrganisationUnitFactory, UserFactory
    from tests.audit.factories import ExportLogFactory
    from tests.certificates.factories import CertificateFactory
    from tests.cms.factories import ServiceProviderFactory, make_document, make_image
    from tests.courses.factories import AssignmentFactory, CompletionFactory

    course = CoursePage.objects.live().first()
    ward = OrganisationUnit.objects.get(code="HN-P-HOANKIEM")
    for number in range(ROWS_FOR_A_SECOND_PAGE):  # the ward manager's lists get a second page too
        OrganisationUnitFactory(parent=ward, name=f"Tổ dân phố {number}")
    units = list(OrganisationUnit.objects.below([ward]))
    learners = [UserFactory(unit=units[i % len(units)]) for i in range(ROWS_FOR_A_SECOND_PAGE)]
    for learner in learners[:-3]:
        CertificateFactory(completion=CompletionFactory(user=learner, course=course))
    for unit in units[:ROWS_FOR_A_SECOND_PAGE]:
        AssignmentFactory(course=course, unit=unit)
    for number in range(ROWS_FOR_A_SECOND_PAGE):
        ServiceProviderFactory(name=f"Cơ sở hỗ trợ {number}")
    for _number in range(ROWS_FOR_A_SECOND_PAGE):
        ExportLogFactory()
    Collection.get_first_root_node().add_child(name="Tài liệu chiến dịch")
    for number in range(3):
        make_image(title=f"Ảnh {number}")
        make_document(title=f"Tài liệu {number}")

    editor = User.objects.get(email="bientap@example.org")
    in_moderation = Page.objects.type(CoursePage).live().first().specific
    in_moderation.save_revision(user=editor)
    workflow = Workflow.objects.filter(active=True).first()
    if workflow is not None:
        workflow.start(in_moderation, editor)
    locked = Page.objects.live().exclude(depth__lte=2).last()
    Page.objects.filter(pk=locked.pk).update(locked=True, locked_by=editor, locked_at=timezone.now())
    return {"course": course, "in_moderation": in_moderation}


DEMO_ACCOUNTS = {
    "administrator": "quantri@example.org",
    "manager": "quanly.phuong@example.org",  # a ward manager, scoped to the ward
    "moderator": "kiemduyet@example.org",
    "editor": "bientap@example.org",
}


def signed_in(role):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    from accounts.models import User
    from tests.conftest import sign_in_past_second_factor

    client = Client(raise_request_exception=False)
    client.cookies["language"] = LANGUAGE
    user = User.objects.get(email=DEMO_ACCOUNTS[role])
    sign_in_past_second_factor(client, user)
    RecoveryCodes.activate(user)  # as after the first sign-in, so that the page shows codes
    return client


# ---------------------------------------------------------------------------------------------------
# What each role opens.


def page_editor_urls():
    """The editor of one page of each project type, and its "add" form under a parent that allows it."""
    from wagtail.models import Page, get_page_models

    urls = [
        "/admin/pages/",
        "/admin/pages/search/?q=b%E1%BA%A1o+l%E1%BB%B1c",
        "/admin/pages/?ordering=-latest_revision_created_at",
    ]
    for model in get_page_models():
        if model is Page or model._meta.app_label not in ("cms", "courses"):
            continue
        page = model.objects.first()
        assert page is not None, f"the demo data has no {model.__name__}: its editor would go unchecked"
        urls.append(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        if page.numchild:  # the explorer of a page without children says the same as the root's
            urls.append(reverse("wagtailadmin_explore", args=[page.pk]))
        parent = page.get_parent().specific
        if model in parent.specific_class.allowed_subpage_models() and model.can_create_at(parent):
            urls.append(
                reverse("wagtailadmin_pages:add", args=[model._meta.app_label, model._meta.model_name, parent.pk])
            )
    return urls


def media_urls():
    from wagtail.documents.models import Document
    from wagtail.images.models import Image

    image, document = Image.objects.first(), Document.objects.first()
    return [
        "/admin/images/", "/admin/images/?p=2", "/admin/images/?q=%E1%BA%A3nh", "/admin/images/add/",
        f"/admin/images/{image.pk}/", f"/admin/images/usage/{image.pk}/", "/admin/images/multiple/add/",
        f"/admin/images/{image.pk}/delete/",
        f"/admin/documents/delete/{document.pk}/", f"/admin/documents/usage/{document.pk}/",
        "/admin/documents/", "/admin/documents/?q=t%C3%A0i", "/admin/documents/add/",
        f"/admin/documents/edit/{document.pk}/", "/admin/documents/multiple/add/",
    ]  # fmt: skip


def snippet_urls():
    from cms.models import ServiceProvider

    provider = ServiceProvider.objects.first()
    return [
        "/admin/snippets/cms/serviceprovider/", "/admin/snippets/cms/serviceprovider/?p=2",
        "/admin/snippets/cms/serviceprovider/?q=h%E1%BB%97", "/admin/snippets/cms/serviceprovider/add/",
        f"/admin/snippets/cms/serviceprovider/edit/{provider.pk}/",
        f"/admin/snippets/cms/serviceprovider/history/{provider.pk}/",
        f"/admin/snippets/cms/serviceprovider/delete/{provider.pk}/",
        f"/admin/snippets/cms/serviceprovider/usage/{provider.pk}/",
    ]  # fmt: skip


def moderation_urls(pages):
    page = pages["in_moderation"]
    urls = [
        "/admin/", "/admin/reports/workflow/", "/admin/reports/workflow_tasks/", "/admin/reports/locked/",
        "/admin/reports/aging-pages/", "/admin/reports/site-history/", "/admin/reports/page-types-usage/",
        reverse("wagtailadmin_pages:workflow_history", args=[page.pk]),
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        reverse("wagtailadmin_pages:confirm_workflow_cancellation", args=[page.pk]),
    ]  # fmt: skip
    state = page.current_workflow_state
    if state is not None:
        urls.append(reverse("wagtailadmin_pages:workflow_history_detail", args=[page.pk, state.pk]))
        task_state = state.current_task_state
        for action in ("approve", "reject"):
            urls.append(
                reverse("wagtailadmin_pages:collect_workflow_action_data", args=[page.pk, action, task_state.pk])
            )
            urls.append(reverse("wagtailadmin_pages:workflow_preview", args=[page.pk, task_state.task_id]))
    live = pages["course"]
    urls += [
        reverse("wagtailadmin_pages:history", args=[live.pk]),
        reverse("wagtailadmin_pages:unpublish", args=[live.pk]),
        reverse("wagtailadmin_pages:revisions_compare", args=[live.pk, "earliest", "latest"]),
        reverse("wagtailadmin_pages:usage", args=[live.pk]),
        reverse("wagtailadmin_pages:type_use", args=["courses", "coursepage"]),
    ]
    return urls


def manager_urls():
    from accounts.models import OrganisationUnit
    from certificates.models import Certificate
    from courses.models import Assignment

    ward = OrganisationUnit.objects.get(code="HN-P-HOANKIEM")
    in_scope = OrganisationUnit.subtree_q([ward], field="user__unit")
    certificate = Certificate.objects.filter(in_scope, revoked_at__isnull=True).last()
    assignment = Assignment.objects.filter(OrganisationUnit.subtree_q([ward])).last()
    return [
        "/admin/",
        "/admin/reports/completion-records/",
        f"/admin/reports/completion-records/?unit={ward.pk}&status=completed&p=2",
        "/admin/reports/completion-records/?date_from=2026-01-01&date_to=2026-12-31&q=Nguy%E1%BB%85n",
        "/admin/reports/completion-records/?date_from=not-a-date",
        "/admin/reports/completion-records/?export=csv",
        "/admin/reports/completion-records/?export=xlsx",
        "/admin/reports/unit-summary/",
        f"/admin/reports/unit-summary/?unit={ward.pk}",
        "/admin/reports/unit-summary/?export=csv",
        "/admin/reports/unit-summary/?export=xlsx",
        "/admin/assignments/", "/admin/assignments/?p=2", "/admin/assignments/new/", "/admin/assignments/assign/",
        f"/admin/assignments/edit/{assignment.pk}/",
        "/admin/certificates/", "/admin/certificates/?p=2", "/admin/certificates/?q=Nguy%E1%BB%85n",
        f"/admin/certificates/inspect/{certificate.pk}/",
        "/admin/units/", "/admin/units/?p=2", "/admin/units/?q=ph%C6%B0%E1%BB%9Dng", "/admin/manager_scopes/",
        "/admin/reports/site-history/",
    ]  # fmt: skip


def account_urls():
    return [
        "/admin/account/",
        "/accounts/2fa/", "/accounts/2fa/reauthenticate/",
        "/accounts/email/", "/accounts/password/change/",
    ]  # fmt: skip


def administrator_urls():
    from django.contrib.auth.models import Group

    from wagtail.models import Collection, Site, Task, Workflow

    from accounts.models import ManagerScope, OrganisationUnit, User
    from audit.models import ExportLog
    from certificates.models import Certificate, CertificateSettings

    workflow = Workflow.objects.first()
    site = Site.objects.get(is_default_site=True)
    certificate = Certificate.objects.filter(revoked_at__isnull=True).last()
    urls = [
        f"/admin/certificates/{certificate.pk}/revoke/", f"/admin/certificates/{certificate.pk}/reissue/",
        "/admin/export_log/", "/admin/export_log/?p=2",
        "/admin/users/", "/admin/users/?p=2", "/admin/users/?q=nguy%E1%BB%85n", "/admin/users/new/",
        "/admin/groups/", "/admin/groups/new/", "/admin/sites/", "/admin/collections/",
        "/admin/workflows/list/", "/admin/workflows/tasks/index/", "/admin/workflows/add/",
        f"/admin/settings/cms/sitesettings/{site.pk}/", f"/admin/settings/certificates/certificatesettings/{CertificateSettings.load().pk}/",
        "/admin/redirects/", "/admin/units/new/", "/admin/manager_scopes/new/",
    ]  # fmt: skip
    if workflow is not None:
        urls.append(f"/admin/workflows/edit/{workflow.pk}/")
        urls.append(f"/admin/workflows/usage/{workflow.pk}/")
    for model, name in [(User, "wagtailusers_users"), (Group, "wagtailusers_groups"), (OrganisationUnit, "units"),
                        (ManagerScope, "manager_scopes"), (Task, "wagtailadmin_workflows"), (Collection, "wagtailadmin_collections"),
                        (Site, "wagtailsites"), (ExportLog, "export_log")]:  # fmt: skip
        instance = model.objects.order_by("pk").last()
        if model is Task:
            urls.append(reverse(f"{name}:edit_task", args=[instance.pk]))
        elif model is ExportLog:
            urls.append(reverse(f"{name}:inspect", args=[instance.pk]))
        else:
            urls.append(reverse(f"{name}:edit", args=[instance.pk]))
    return urls


def bulk_action_urls(app_label, model_name, actions, ids):
    """The confirmation pages of the listing's bulk actions (checkbox, then an action)."""
    query = "&".join(f"id={pk}" for pk in ids)
    return [reverse("wagtail_bulk_action", args=[app_label, model_name, action]) + f"?{query}" for action in actions]


def editor_bulk_urls(pages):
    from wagtail.documents.models import Document
    from wagtail.images.models import Image

    images = list(Image.objects.values_list("pk", flat=True)[:2])
    documents = list(Document.objects.values_list("pk", flat=True)[:2])
    return bulk_action_urls("wagtailimages", "image", ["add_tags", "add_to_collection", "delete"], images) + (
        bulk_action_urls("wagtaildocs", "document", ["add_tags", "add_to_collection", "delete"], documents)
    )


def moderator_bulk_urls(pages):
    children = list(pages["course"].get_children().values_list("pk", flat=True)[:2])
    return bulk_action_urls("wagtailcore", "page", ["publish", "unpublish"], children)


def administrator_page_urls(pages):
    """What only administrators may do to a page: delete, move, copy, set its privacy; bulk actions."""
    from accounts.models import User

    page = pages["course"]
    children = list(page.get_children().values_list("pk", flat=True)[:2])
    users = list(User.objects.values_list("pk", flat=True)[:2])
    bulk = bulk_action_urls("wagtailcore", "page", ["delete", "move"], children) + bulk_action_urls(
        "accounts", "user", ["assign_role", "set_active_state", "delete"], users
    )
    return (
        ["/admin/", "/admin/pages/"]
        + bulk
        + [reverse(f"wagtailadmin_pages:{name}", args=[page.pk]) for name in ("delete", "move", "copy", "set_privacy")]
    )


def walks(pages):
    # Each view is walked by the role that works in it; a view two roles share renders the same
    # messages for both (only buttons differ, and those are walked by the role that has them).
    return {
        "editor": page_editor_urls() + media_urls() + editor_bulk_urls(pages) + ["/admin/"] + account_urls(),
        "moderator": moderation_urls(pages) + moderator_bulk_urls(pages) + account_urls(),
        "manager": manager_urls() + account_urls(),
        "administrator": administrator_urls() + snippet_urls() + administrator_page_urls(pages),
    }


# ---------------------------------------------------------------------------------------------------

# Set to a file name, the test also writes the gaps there as .po entries to translate.
SKELETON_VARIABLE = "UNTRANSLATED_PO"


def po_string(text):
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def write_skeleton(path, missing_by_message):
    entries = []
    for (context, message), (plural, where) in sorted(missing_by_message.items(), key=lambda item: item[0][1]):
        lines = [f"#. first at {where}"]
        if "%(" in message or "%s" in message or "%d" in message:
            lines.append("#, python-format")
        if context:
            lines.append(f"msgctxt {po_string(context)}")
        lines.append(f"msgid {po_string(message)}")
        if plural is None:
            lines.append('msgstr ""')
        else:
            lines += [f"msgid_plural {po_string(plural)}", 'msgstr[0] ""']
        entries.append("\n".join(lines))
    path.write_text("\n\n".join(entries) + "\n", encoding="utf-8")


@pytest.mark.django_db
def test_every_admin_message_a_role_sees_has_a_vietnamese_translation(demo_site):
    missing_by_message = {}
    failed = []

    for role, urls in walks(demo_site).items():
        client = signed_in(role)
        for url in urls:
            with untranslated_lookups() as missing:
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
            if response.status_code != 200:
                failed.append(f"{role} {url} {response.status_code}")
            for message, plural in missing.items():
                missing_by_message.setdefault(message, (plural, f"{role} {url}"))

    if os.environ.get(SKELETON_VARIABLE):
        write_skeleton(Path(os.environ[SKELETON_VARIABLE]), missing_by_message)
    assert not failed, "views did not render:\n" + "\n".join(failed)
    listing = "\n".join(
        f"{'[' + context + '] ' if context else ''}{message!r}  (first at {where})"
        for (context, message), (_plural, where) in sorted(missing_by_message.items(), key=lambda item: item[0][1])
    )
    assert not missing_by_message, f"{len(missing_by_message)} messages without Vietnamese:\n{listing}"


# ---------------------------------------------------------------------------------------------------
# Names the hook cannot see: Django makes a missing verbose_name_plural by adding "s" to the
# translated name ("Giao khóa họcs") and a missing field name from the attribute ("due on"),
# neither through gettext.

PROJECT_APPS = ("ops", "audit", "accounts", "cms", "courses", "certificates", "reports")


def inherited_from_other_packages(model):
    """Field names that a third-party abstract base declares (Orderable's sort_order, treebeard's path…)."""
    names = set()
    for base in model.__mro__[1:]:
        meta = getattr(base, "_meta", None)
        if meta is not None and meta.abstract and base.__module__.split(".")[0] not in PROJECT_APPS:
            names |= {field.name for field in meta.local_fields + meta.local_many_to_many}
    return names


def test_every_project_model_and_field_has_a_translatable_name():
    from django.apps import apps
    from django.utils.functional import Promise

    unnamed = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for option in ("verbose_name", "verbose_name_plural"):
            if not isinstance(model._meta.original_attrs.get(option), Promise):
                unnamed.append(f"{model._meta.label} Meta.{option}")
        inherited = inherited_from_other_packages(model)
        for field in model._meta.local_fields + model._meta.local_many_to_many:
            own = not (field.auto_created or field.primary_key or field.name in inherited)
            if own and not getattr(field, "parent_link", False) and not isinstance(field.verbose_name, Promise):
                unnamed.append(f"{model._meta.label}.{field.name}")
    assert not unnamed, "names not given through gettext_lazy:\n" + "\n".join(unnamed)


def test_every_message_of_the_admin_javascript_has_a_vietnamese_translation():
    """The browser reads these from /admin/jsi18n/, out of the hook's sight: compare the catalogues.

    Every msgid of Wagtail's English djangojs catalogue must be in the Vietnamese one the view
    serves (Wagtail's own merged with vendor_locale/vi/LC_MESSAGES/djangojs.po).
    """
    import ast

    import wagtail.admin

    locale = Path(wagtail.admin.__file__).parent / "locale"
    vietnamese = trans_real.DjangoTranslation(LANGUAGE, domain="djangojs", localedirs=[str(locale)])
    english = (locale / "en" / "LC_MESSAGES" / "djangojs.po").read_text(encoding="utf-8")
    missing = []
    # The English .mo holds no msgids (every msgstr is empty), so the .po is read: one entry per
    # blank-line block, its msgid the joined string lines after "msgid", keyed as gettext keys it.
    for entry in english.split("\n\n"):
        found = PO_MSGID.search(entry)
        if found is None:
            continue
        msgid = "".join(ast.literal_eval(part) for part in PO_STRING.findall(found["lines"]))
        context = PO_CONTEXT.search(entry)
        key = f"{ast.literal_eval(context['text'])}{CONTEXT_SEPARATOR}{msgid}" if context else msgid
        if "msgid_plural" in entry:
            key = (key, 0)
        if msgid and key not in vietnamese._catalog:
            missing.append(msgid)
    assert not missing, f"{len(missing)} JavaScript messages without Vietnamese:\n" + "\n".join(missing)


PO_MSGID = re.compile(r'^msgid (?P<lines>"(?:.*)"(?:\n".*")*)', re.MULTILINE)
PO_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
PO_CONTEXT = re.compile(r'^msgctxt (?P<text>".*")$', re.MULTILINE)
