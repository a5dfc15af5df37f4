"""Who reaches which URL of our apps, and whose records they see there.

One expected table, role × URL name, walked for every route of our apps that the resolver lists,
on objects inside and outside each role's scope. A route of our apps that the table does not name
fails the test, so a new staff URL cannot slip in without a decision about who may use it.

Codes, one per role:
  S  reaches it and sees the records of its own scope, and only those: an object outside the scope
     is refused (403, 404 or Wagtail's redirect to the admin home), a listing or export leaves it out.
  D  refused, nothing of the records shown.
  L  sent to the login page (anonymous).
  O  open: the same page for everyone (public, or the signed-in user's own page).
"""

import datetime
import io
import zipfile

from django.urls import resolve, reverse
from django.utils import timezone

from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtail.log_actions import log

import pytest
from openpyxl import load_workbook

from certificates.models import Certificate
from courses import assignments
from courses.models import Assignment
from tests.accounts.factories import ManagerScopeFactory, UserFactory
from tests.audit.factories import ExportLogFactory
from tests.courses.factories import complete_course
from tests.url_catalogue import all_routes

pytestmark = pytest.mark.django_db

OUR_APPS = ("accounts", "courses", "certificates", "reports")
ROLES = (
    "administrator",
    "city_manager",
    "ward_manager",
    "other_ward_manager",
    "editor",
    "moderator",
    "learner",
    "anonymous",
)

# Route name (with "?query" for a variant of the same route) → (records the page shows, codes by role).
# fmt: off
EXPECTED = {
    #                                               records          adm city ward othr edit mod lrnr anon
    "reports_completion_records":                  ("learners",      "S   S    S    S    D    D   D    L"),
    "reports_completion_records?export=csv":       ("learners",      "S   S    S    S    D    D   D    L"),
    "reports_completion_records?export=xlsx":      ("learners",      "S   S    S    S    D    D   D    L"),
    "reports_completion_records_results":          ("learners",      "S   S    S    S    D    D   D    L"),
    "reports_unit_summary":                        ("units",         "S   S    S    S    D    D   D    L"),
    "reports_unit_summary?export=csv":             ("units",         "S   S    S    S    D    D   D    L"),
    "reports_unit_summary?export=xlsx":            ("units",         "S   S    S    S    D    D   D    L"),
    "reports_unit_summary_results":                ("units",         "S   S    S    S    D    D   D    L"),
    "export_log:index":                            ("export_log",    "S   D    D    D    D    D   D    L"),
    "export_log:index_results":                    ("export_log",    "S   D    D    D    D    D   D    L"),
    "export_log:inspect":                          ("export_log",    "S   D    D    D    D    D   D    L"),
    "export_log:add":                              (None,            "D   D    D    D    D    D   D    L"),
    "export_log:edit":                             ("export_log",    "D   D    D    D    D    D   D    L"),
    "export_log:delete":                           ("export_log",    "D   D    D    D    D    D   D    L"),
    "export_log:history":                          ("export_log",    "D   D    D    D    D    D   D    L"),
    "export_log:history_results":                  ("export_log",    "D   D    D    D    D    D   D    L"),
    "export_log:usage":                            ("export_log",    "D   D    D    D    D    D   D    L"),
    "certificates:index":                          ("certificates",  "S   S    S    S    D    D   D    L"),
    "certificates:index_results":                  ("certificates",  "S   S    S    S    D    D   D    L"),
    "certificates:inspect":                        ("certificates",  "S   S    S    S    D    D   D    L"),
    "certificates:add":                            (None,            "D   D    D    D    D    D   D    L"),
    "certificates:edit":                           ("certificates",  "D   D    D    D    D    D   D    L"),
    "certificates:delete":                         ("certificates",  "D   D    D    D    D    D   D    L"),
    "certificates:history":                        ("certificates",  "D   D    D    D    D    D   D    L"),
    "certificates:history_results":                ("certificates",  "D   D    D    D    D    D   D    L"),
    "certificates:usage":                          ("certificates",  "D   D    D    D    D    D   D    L"),
    "certificates:revoke":                         ("certificates",  "S   D    D    D    D    D   D    L"),
    "certificates:reissue":                        ("certificates",  "S   D    D    D    D    D   D    L"),
    "certificates:zip":                            ("units",         "S   S    S    S    D    D   D    L"),
    "certificates:zip?download=1":                 ("certificates",  "S   S    S    S    D    D   D    L"),
    "certificate_pdf":                             ("certificates",  "S   S    S    S    D    D   D    L"),
    # The status of a certificate being rendered answers its holder only (none of these roles).
    "certificate_status":                          ("certificates",  "D   D    D    D    D    D   D    D"),
    "assignments:index":                           ("assignments",   "S   S    S    S    D    D   D    L"),
    "assignments:index_results":                   ("assignments",   "S   S    S    S    D    D   D    L"),
    "assignments:add":                             ("units",         "S   S    S    S    D    D   D    L"),
    "assignments:assign":                          ("units",         "S   S    S    S    D    D   D    L"),
    "assignments:edit":                            ("assignments",   "S   S    S    S    D    D   D    L"),
    "assignments:delete":                          ("assignments",   "S   S    S    S    D    D   D    L"),
    "assignments:history":                         ("assignments",   "S   S    S    S    D    D   D    L"),
    "assignments:history_results":                 ("assignments",   "S   S    S    S    D    D   D    L"),
    "assignments:usage":                           ("assignments",   "S   S    S    S    D    D   D    L"),
    "units:index":                                 ("units",         "S   S    S    S    D    D   D    L"),
    "units:index_results":                         ("units",         "S   S    S    S    D    D   D    L"),
    "units:add":                                   (None,            "S   D    D    D    D    D   D    L"),
    "units:edit":                                  ("units",         "S   D    D    D    D    D   D    L"),
    "units:delete":                                ("units",         "S   D    D    D    D    D   D    L"),
    "units:history":                               ("units",         "S   D    D    D    D    D   D    L"),
    "units:history_results":                       ("units",         "S   D    D    D    D    D   D    L"),
    "units:usage":                                 ("units",         "S   D    D    D    D    D   D    L"),
    "units:copy":                                  ("units",         "S   D    D    D    D    D   D    L"),
    "manager_scopes:index":                        ("manager_scopes","S   S    S    S    D    D   D    L"),
    "manager_scopes:index_results":                ("manager_scopes","S   S    S    S    D    D   D    L"),
    "manager_scopes:add":                          (None,            "S   D    D    D    D    D   D    L"),
    "manager_scopes:edit":                         ("manager_scopes","S   D    D    D    D    D   D    L"),
    "manager_scopes:delete":                       ("manager_scopes","S   D    D    D    D    D   D    L"),
    "manager_scopes:history":                      ("manager_scopes","S   D    D    D    D    D   D    L"),
    "manager_scopes:history_results":              ("manager_scopes","S   D    D    D    D    D   D    L"),
    "manager_scopes:usage":                        ("manager_scopes","S   D    D    D    D    D   D    L"),
    "manager_scopes:copy":                         ("manager_scopes","S   D    D    D    D    D   D    L"),
    "wagtailusers_users:index":                    ("learners",      "S   D    D    D    D    D   D    L"),
    "wagtailusers_users:index_results":            ("learners",      "S   D    D    D    D    D   D    L"),
    "wagtailusers_users:add":                      (None,            "S   D    D    D    D    D   D    L"),
    "wagtailusers_users:edit":                     ("learners",      "S   D    D    D    D    D   D    L"),
    "wagtailusers_users:delete":                   ("learners",      "S   D    D    D    D    D   D    L"),
    "wagtailusers_users:history":                  ("learners",      "S   D    D    D    D    D   D    L"),
    "wagtailusers_users:history_results":          ("learners",      "S   D    D    D    D    D   D    L"),
    "wagtailusers_users:usage":                    ("learners",      "S   D    D    D    D    D   D    L"),
    "wagtailusers_users:copy":                     ("learners",      "S   D    D    D    D    D   D    L"),
    # Wagtail's site history, answered by our narrowed view (accounts.viewsets).
    "scoped_site_history":                         ("certificates",  "S   S    S    S    S    S   D    L"),
    "scoped_site_history?export=csv":              ("certificates",  "S   S    S    S    S    S   D    L"),
    "scoped_site_history?export=xlsx":             ("certificates",  "S   S    S    S    S    S   D    L"),
    "scoped_site_history_results":                 ("certificates",  "S   S    S    S    S    S   D    L"),
    # Not staff-only, listed so that every route of our apps has its line.
    "dashboard":                                   (None,            "O   O    O    O    O    O   O    L"),
    "verify_form":                                 (None,            "O   O    O    O    O    O   O    O"),
    "verify_certificate":                          (None,            "O   O    O    O    O    O   O    O"),
}
# fmt: on

# Which objects each role's scope holds: "inside" the ward, "outside" it (the other commune, still in
# the city), "no_unit" (a learner who belongs to no unit; administrators only).
SCOPE = {
    "administrator": {"inside", "outside", "no_unit"},
    "city_manager": {"inside", "outside"},
    "ward_manager": {"inside"},
    "other_ward_manager": {"outside"},
}
MANAGER_UNITS = {"city_manager": "HN", "ward_manager": "HN-P-HK", "other_ward_manager": "HN-X-SS"}


def our_viewset_namespaces():
    """URL namespaces of the admin viewsets our apps define (Wagtail's generic views behind them)."""
    from wagtail.admin.viewsets import viewsets

    all_routes()  # loading the URLconf registers the viewsets
    return {
        viewset.url_namespace for viewset in viewsets.viewsets if type(viewset).__module__.split(".")[0] in OUR_APPS
    }


def our_routes():
    namespaces = our_viewset_namespaces()
    return {
        route.name: route
        for route in all_routes()
        if route.view.split(".")[0] in OUR_APPS or (route.name and route.name.split(":")[0] in namespaces)
    }


def test_the_table_names_every_route_of_our_apps_and_nothing_else():
    routes = our_routes()
    assert None not in routes, "every route of our apps has a name, so the table can hold it"
    assert {key.partition("?")[0] for key in EXPECTED} == set(routes)
    assert all(len(codes.split()) == len(ROLES) for _records, codes in EXPECTED.values())


def test_every_export_of_our_apps_is_in_the_table():
    """A listing that offers spreadsheet exports has its ?export=csv and ?export=xlsx lines."""
    for name, route in our_routes().items():
        if "<" in route.pattern:
            continue
        match = resolve(route.fill(lambda *_: ""))
        view_class = getattr(match.func, "view_class", None)
        if view_class is None or not issubclass(view_class, SpreadsheetExportMixin):
            continue
        offers_export = (
            match.func.view_initkwargs.get("list_export")
            or getattr(view_class, "list_export", None)
            or getattr(view_class, "show_export_buttons", None) is True
        )
        if offers_export and "results" not in name:
            assert {f"{name}?export=csv", f"{name}?export=xlsx"} <= set(EXPECTED), name


class Record:
    def __init__(self, obj, *markers, **url_values):
        self.obj, self.markers, self.url_values = obj, markers, {"pk": obj.pk, **url_values}


@pytest.fixture
def world(course, unit_tree, monkeypatch, django_capture_on_commit_callbacks):
    """Learners inside the ward, outside it and without a unit, each with a certificate; assignments,
    manager scopes and an export log entry inside and outside the ward."""
    monkeypatch.setattr("certificates.pdf.render_pdf", lambda certificate: b"%PDF-1.4\n% scope matrix\n")
    ward_unit, other_unit = unit_tree["HN-P-HK-TYT"], unit_tree["HN-X-SS"]
    learners = {
        "inside": UserFactory(full_name="Nguyễn Văn Trongphạmvi", unit=ward_unit),
        "outside": UserFactory(full_name="Trần Thị Ngoàiphạmvi", unit=other_unit),
        "no_unit": UserFactory(full_name="Lê Văn Khôngđơnvị", unit=None),
    }
    with django_capture_on_commit_callbacks(execute=True):
        for learner in learners.values():
            complete_course(learner, course)
    certificates = {key: Certificate.objects.get(user=learner) for key, learner in learners.items()}
    for certificate in certificates.values():  # for the site history
        log(certificate, "wagtail.edit", user=learners["inside"])
    due_on = timezone.localdate() + datetime.timedelta(days=10)
    assignments.assign(course["course"], [ward_unit], due_on, None)
    assignments.assign(course["course"], [other_unit], due_on, None)
    assigned = {"inside": Assignment.objects.get(unit=ward_unit), "outside": Assignment.objects.get(unit=other_unit)}
    scopes = {
        "inside": ManagerScopeFactory(unit=ward_unit, user__full_name="Cán bộ Trạmphụtrách"),
        "outside": ManagerScopeFactory(unit=other_unit, user__full_name="Cán bộ Xãphụtrách"),
    }
    exporter = UserFactory(full_name="Người Xuấtsổliệu", roles=["Managers"])
    export = ExportLogFactory(user=exporter)
    return {
        "learners": {key: Record(user, user.full_name) for key, user in learners.items()},
        "certificates": {
            key: Record(cert, cert.serial, cert.serial_slug, serial_slug=cert.serial_slug)
            for key, cert in certificates.items()
        },
        "assignments": {key: Record(a, a.unit.name) for key, a in assigned.items()},
        "units": {"inside": Record(ward_unit, ward_unit.name), "outside": Record(other_unit, other_unit.name)},
        "manager_scopes": {key: Record(scope, scope.user.full_name) for key, scope in scopes.items()},
        "export_log": {"no_unit": Record(export, exporter.full_name)},
        "code": certificates["inside"].code,
    }


def sign_in(role, client, staff_client, unit_tree):
    if role == "anonymous":
        return client
    if role == "learner":
        client.force_login(UserFactory(full_name="Học viên Thửnghiệm", unit=unit_tree["HN-P-HK-CA"]))
        return client
    group = {"administrator": "Administrators", "editor": "Editors", "moderator": "Moderators"}.get(role, "Managers")
    signed_in = staff_client(group)
    if role in MANAGER_UNITS:
        ManagerScopeFactory(user=signed_in.user, unit=unit_tree[MANAGER_UNITS[role]])
    return signed_in


def read(response):
    """What a user gets to see: the page, the CSV, the cells of an XLSX, the names in a ZIP."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    content_type = response.get("Content-Type", "")
    if "zip" in content_type:
        return "\n".join(zipfile.ZipFile(io.BytesIO(body)).namelist())
    if "spreadsheetml" in content_type:
        sheet = load_workbook(io.BytesIO(body), read_only=True).active
        return "\n".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None)
    if "pdf" in content_type:
        return body.decode("latin-1")
    return body.decode("utf-8", "replace")


def refused(response):
    return response.status_code in (403, 404) or (
        response.status_code == 302 and not response["Location"].startswith(reverse("account_login"))
    )


def check(role, name, code, records, client, world, routes):
    """The problems with one table cell, as sentences (none when it holds)."""
    route_name, _, query = name.partition("?")
    route = routes[route_name]
    objects = world.get(records, {}) if records else {}
    every_marker = [m for kind in ("learners", "certificates") for r in world[kind].values() for m in r.markers]
    takes_object = "<" in route.pattern
    problems = []
    targets = list(objects.items()) if takes_object and objects else [(None, None)]
    if code != "S":  # a refusal, the login page or an open page: one object shows it
        targets = targets[:1]
    for key, record in targets:

        def value(param, _converter, record=record):
            if param == "code":
                return world["code"]
            return record.url_values[param]

        url = route.fill(value) + (f"?{query}" if query else "")
        response = client.get(url)
        text = read(response)
        where = f"{role} {url} ({name}, {key or 'listing'}): {response.status_code}"
        if code == "L":
            if response.status_code != 302 or not response["Location"].startswith(reverse("account_login")):
                problems.append(f"{where}, expected the login page")
        elif code == "O":
            if response.status_code != 200:
                problems.append(f"{where}, expected the page")
        elif code == "D" or (key is not None and key not in SCOPE.get(role, ())):
            if not refused(response):
                problems.append(f"{where}, expected a refusal")
            if leaked := [m for m in every_marker if m in text and m not in url]:  # a 404 page repeats the URL
                problems.append(f"{where}, shows {leaked}")
        elif response.status_code != 200:  # S: the object in scope, or a listing of the role's scope
            problems.append(f"{where}, expected the page")
        elif key is None:
            for other_key, other in objects.items():
                shown = any(marker in text for marker in other.markers)
                if shown != (other_key in SCOPE.get(role, ())):
                    problems.append(f"{where}: {other_key} {'shown' if shown else 'missing'}")
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_what_the_table_says_and_sees_only_its_scope(role, client, staff_client, unit_tree, world):
    routes = our_routes()
    signed_in = sign_in(role, client, staff_client, unit_tree)
    column = ROLES.index(role)
    problems = []
    for name, (records, codes) in EXPECTED.items():
        problems += check(role, name, codes.split()[column], records, signed_in, world, routes)
    assert not problems, "\n".join(problems)


def test_an_administrator_downloads_the_certificate_of_a_learner_without_a_unit(staff_client, world):
    certificate = world["certificates"]["no_unit"].obj
    client = staff_client("Administrators")

    inspect = client.get(reverse("certificates:inspect", args=[certificate.pk])).content.decode()
    response = client.get(certificate.get_absolute_url())

    assert certificate.get_absolute_url() in inspect  # the "Download PDF" button
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_anonymous_visitors_are_sent_to_sign_in_whether_the_serial_exists_or_not(client, world):
    certificate = world["certificates"]["inside"].obj
    known = client.get(certificate.get_absolute_url())
    unknown = client.get("/certificates/999999-2026-gcn.pdf")

    login = reverse("account_login")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == f"{login}?next={certificate.get_absolute_url()}"
    assert unknown["Location"] == f"{login}?next=/certificates/999999-2026-gcn.pdf"


def test_a_ward_manager_cannot_change_or_withdraw_another_units_assignment_by_posting(staff_client, unit_tree, world):
    assignment = world["assignments"]["outside"].obj
    client = sign_in("ward_manager", None, staff_client, unit_tree)

    edit = client.post(reverse("assignments:edit", args=[assignment.pk]), {"due_on": "2030-01-01"})
    delete = client.post(reverse("assignments:delete", args=[assignment.pk]))

    assert edit.status_code == delete.status_code == 404
    assert Assignment.objects.get(pk=assignment.pk).due_on == assignment.due_on
