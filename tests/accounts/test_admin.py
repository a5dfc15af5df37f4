"""The Wagtail admin: roles, the organisation tree, users with our profile fields, language."""

import re

from django.contrib.auth.models import Group

from wagtail.models import GroupPagePermission
from wagtail.users.models import UserProfile

import pytest

from accounts.models import ManagerScope, OrganisationUnit, User
from tests.accounts.factories import ManagerScopeFactory, OrganisationUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def page_permissions(group_name):
    return sorted(
        GroupPagePermission.objects.filter(group__name=group_name).values_list("permission__codename", flat=True)
    )


def test_the_four_roles_exist_with_their_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= {"Editors", "Moderators", "Managers", "Administrators"}
    for name in ("Editors", "Moderators", "Managers", "Administrators"):
        assert Group.objects.get(name=name).permissions.filter(codename="access_admin").exists()
    assert page_permissions("Editors") == ["add_page", "change_page"]
    assert "publish_page" in page_permissions("Moderators")
    assert page_permissions("Managers") == []
    managers = set(Group.objects.get(name="Managers").permissions.values_list("codename", flat=True))
    assert managers == {
        "access_admin",
        "view_organisationunit",
        "view_managerscope",
        "view_certificate",
        "view_assignment",
        "change_assignment",
        "delete_assignment",
    }
    administrators = set(Group.objects.get(name="Administrators").permissions.values_list("codename", flat=True))
    assert {
        "add_user",
        "change_user",
        "add_organisationunit",
        "add_managerscope",
        "change_sitesettings",
        "view_certificate",
        "change_certificatesettings",
    } <= administrators
    assert "change_certificate" not in administrators  # certificates are revoked or re-issued, never edited


def test_an_administrator_adds_and_moves_units_in_the_admin(staff_client, unit_tree):
    client = staff_client("Administrators")

    response = client.post(
        "/admin/units/new/",
        {
            "code": "HN-P-HK-HPN",
            "name": "Hội Liên hiệp Phụ nữ phường Hoàn Kiếm",
            "type": "unit",
            "parent": unit_tree["HN-P-HK"].pk,
        },
    )
    assert response.status_code == 302
    unit = OrganisationUnit.objects.get(code="HN-P-HK-HPN")
    assert unit.get_parent() == unit_tree["HN-P-HK"]

    response = client.post(
        f"/admin/units/edit/{unit.pk}/",
        {
            "code": "HN-P-HK-HPN",
            "name": "Hội Phụ nữ phường Hoàn Kiếm",
            "type": "unit",
            "parent": unit_tree["HN-X-SS"].pk,
        },
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "Hội Phụ nữ phường Hoàn Kiếm"
    assert unit.get_parent() == unit_tree["HN-X-SS"]
    assert OrganisationUnit.find_problems() == ([], [], [], [], [])


def test_a_unit_cannot_be_moved_under_its_own_descendant(staff_client, unit_tree):
    client = staff_client("Administrators")
    ward = unit_tree["HN-P-HK"]

    response = client.post(
        f"/admin/units/edit/{ward.pk}/",
        {"code": ward.code, "name": ward.name, "type": "ward", "parent": unit_tree["HN-P-HK-TYT"].pk},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["parent"]
    ward.refresh_from_db()
    assert ward.get_parent() == unit_tree["HN"]


def unit_rows(response):
    """(name, parent) of each row of the unit listing."""
    return [(unit.name, unit.parent_name) for unit in response.context["object_list"]]


def test_the_unit_list_shows_each_parent_with_a_fixed_number_of_queries(
    staff_client, unit_tree, django_assert_max_num_queries
):
    client = staff_client("Administrators")
    client.get("/admin/units/")

    with django_assert_max_num_queries(30) as captured:
        response = client.get("/admin/units/")
    queries_for_six_units = len(captured)
    for n in range(20):
        OrganisationUnitFactory(parent=unit_tree["HN-X-SS"], name=f"Tổ dân phố {n}")
    client.get("/admin/units/")  # a unit saved moves the content version: the site is looked up once again
    with django_assert_max_num_queries(queries_for_six_units):
        client.get("/admin/units/")

    assert ("Trạm Y tế phường Hoàn Kiếm", "Phường Hoàn Kiếm") in unit_rows(response)
    health_row = next(row for row in re.findall(r"<tr.*?</tr>", response.content.decode(), re.S) if "Trạm Y tế" in row)
    assert re.search(r"<td[^>]*>\s*Phường Hoàn Kiếm\s*</td>", health_row)


def test_a_ward_manager_lists_only_the_units_of_the_ward(staff_client, unit_tree):
    client = staff_client("Managers")
    ManagerScopeFactory(user=client.user, unit=unit_tree["HN-P-HK"])

    response = client.get("/admin/units/")

    assert sorted(name for name, _parent in unit_rows(response)) == [
        "Công an phường Hoàn Kiếm",
        "Phường Hoàn Kiếm",
        "Trạm Y tế phường Hoàn Kiếm",
    ]
    assert "Xã Sóc Sơn" not in response.content.decode()


def test_a_manager_may_view_units_but_not_change_them(staff_client, unit_tree):
    client = staff_client("Managers")

    assert client.get("/admin/units/").status_code == 200
    assert client.get("/admin/units/new/").status_code == 302
    assert client.get("/admin/users/").status_code == 302


def test_an_administrator_assigns_a_manager_scope(staff_client, unit_tree):
    client = staff_client("Administrators")
    manager = User.objects.create_user(email="ql@example.org", password="x", full_name="Quản Lý")

    response = client.post("/admin/manager_scopes/new/", {"user": manager.pk, "unit": unit_tree["HN-P-HK"].pk})

    assert response.status_code == 302
    assert ManagerScope.objects.get(user=manager).unit == unit_tree["HN-P-HK"]


def test_an_administrator_creates_a_user_with_our_profile_fields(staff_client, unit_tree):
    client = staff_client("Administrators")

    response = client.post(
        "/admin/users/new/",
        {
            "email": "moi.vao@example.org",
            "full_name": "  Hoàng   Thị Mai ",
            "unit": unit_tree["HN-SYT"].pk,
            "position": "Chuyên viên",
            "staff_category": "civil_servant",
            "password1": "Mat-khau-quan-tri-2026",
            "password2": "Mat-khau-quan-tri-2026",
            "groups": [Group.objects.get(name="Editors").pk],
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    user = User.objects.get(email="moi.vao@example.org")
    assert user.full_name == "Hoàng Thị Mai"
    assert user.unit == unit_tree["HN-SYT"]
    assert list(user.groups.values_list("name", flat=True)) == ["Editors"]


def test_the_user_edit_form_renders_with_our_fields(staff_client, unit_tree):
    client = staff_client("Administrators")
    html = client.get(f"/admin/users/edit/{client.user.pk}/").content.decode()

    assert 'name="full_name"' in html and 'name="unit"' in html and 'name="staff_category"' in html
    assert 'name="first_name"' not in html


def test_the_admin_is_vietnamese_by_default_and_follows_the_users_language(staff_client):
    client = staff_client("Editors")
    assert 'lang="vi"' in client.get("/admin/").content.decode()

    profile = UserProfile.get_for_user(client.user)
    profile.preferred_language = "en"
    profile.save()

    assert 'lang="en"' in client.get("/admin/").content.decode()


def test_a_unit_with_members_below_it_is_not_deleted_and_the_reason_is_given(staff_client, unit_tree):
    client = staff_client("Administrators")
    UserFactory(unit=unit_tree["HN-P-HK-TYT"])

    response = client.post(f"/admin/units/delete/{unit_tree['HN-P-HK'].pk}/", follow=True)

    assert response.status_code == 200
    assert "không thể xóa" in response.content.decode()
    assert OrganisationUnit.objects.filter(code__startswith="HN-P-HK").count() == 3


def test_an_empty_unit_is_deleted_with_its_empty_subtree(staff_client, unit_tree):
    client = staff_client("Administrators")

    response = client.post(f"/admin/units/delete/{unit_tree['HN-P-HK'].pk}/")

    assert response.status_code == 302
    assert not OrganisationUnit.objects.filter(code__startswith="HN-P-HK").exists()
    assert OrganisationUnit.find_problems() == ([], [], [], [], [])


def test_a_manager_lists_only_the_scopes_inside_their_own(staff_client, unit_tree):
    client = staff_client("Managers")
    ManagerScopeFactory(user=client.user, unit=unit_tree["HN-P-HK"])
    inside = ManagerScopeFactory(unit=unit_tree["HN-P-HK-TYT"])
    outside = ManagerScopeFactory(unit=unit_tree["HN-X-SS"])

    scopes = list(client.get("/admin/manager_scopes/").context["object_list"])

    assert inside in scopes and outside not in scopes
