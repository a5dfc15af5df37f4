"""Whatever a visitor or a staff member types or sends, the answer is a page, never a 500."""

import pytest

pytestmark = pytest.mark.django_db

JUNK = [
    "",
    " ",
    "x" * 10000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\x00",
    "%00",
    "../../etc/passwd",
    "😀" * 50,
    "javascript:alert(1)",
    "//evil.example.com",
]


@pytest.mark.parametrize("junk", JUNK)
def test_public_forms_and_links_answer_junk_without_an_error(client, home_page, unit_tree, junk):
    fields = ["email", "password1", "password2", "full_name", "unit", "position", "staff_category", "consent"]
    responses = [
        client.post("/accounts/signup/", dict.fromkeys(fields, junk)),
        client.post("/accounts/login/", {"login": junk, "password": junk}),
        client.post("/accounts/password/reset/", {"email": junk}),
        client.get("/language/", {"language": junk, "next": junk}),
        client.get(f"/accounts/confirm-email/{junk[:100]}/"),
        client.get("/", {"q": junk}),
    ]

    assert [response.status_code for response in responses if response.status_code >= 500] == []


@pytest.mark.parametrize("junk", JUNK)
def test_admin_forms_and_filters_answer_junk_without_an_error(staff_client, unit_tree, junk):
    client = staff_client("Administrators")
    responses = [
        client.post("/admin/units/new/", {"code": junk, "name": junk, "type": junk, "parent": junk}),
        client.post("/admin/manager_scopes/new/", {"user": junk, "unit": junk}),
        client.get("/admin/units/", {"q": junk[:200], "type": junk[:50]}),
        client.get(f"/admin/units/edit/{junk[:20]}/"),
    ]

    assert [response.status_code for response in responses if response.status_code >= 500] == []
