"""The demo loader behind `make run`: complete, and safe to run twice."""

from django.core.management import call_command

from wagtail.models import Site

import pytest
from allauth.account.models import EmailAddress

from accounts.models import ManagerScope, OrganisationUnit, User
from accounts.scopes import visible_units
from cms.models import HomePage, SiteSettings

pytestmark = pytest.mark.django_db

DEMO_EMAILS = [
    "quantri@example.org",
    "bientap@example.org",
    "kiemduyet@example.org",
    "quanly.thanhpho@example.org",
    "quanly.phuong@example.org",
    "hocvien1@example.org",
    "hocvien2@example.org",
]


def snapshot():
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Page

    from cms.models import MaterialFile, ServiceProvider

    return (
        list(Page.objects.order_by("path").values_list("path", "title", "live")),
        get_image_model().objects.count(),
        get_document_model().objects.count(),
        MaterialFile.objects.count(),
        ServiceProvider.objects.count(),
        list(OrganisationUnit.objects.values_list("code", "path", "name")),
        list(User.objects.order_by("email").values_list("email", "password")),
        ManagerScope.objects.count(),
        EmailAddress.objects.count(),
        list(HomePage.objects.values_list("pk", flat=True)),
    )


def test_demo_data_loads_once_and_prints_the_accounts(capsys):
    call_command("load_demo_data")
    first_output = capsys.readouterr().out
    before = snapshot()

    call_command("load_demo_data")
    second_output = capsys.readouterr().out

    assert snapshot() == before
    for email in DEMO_EMAILS:
        assert email in first_output and email in second_output
    assert "Demo-GBV-2026" in first_output
    assert "Demo accounts: 0 created" in second_output
    assert User.objects.count() == 7
    assert all(address.verified for address in EmailAddress.objects.all())


def test_demo_data_is_a_usable_site_with_realistic_units():
    call_command("load_demo_data")

    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert SiteSettings.for_site(site).privacy_page.live
    names = set(OrganisationUnit.objects.values_list("name", flat=True))
    assert {"Sở Nội vụ", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Tư pháp", "Công an thành phố"} <= names
    assert "Phòng Văn hóa - Xã hội phường Hoàn Kiếm" in names
    assert not OrganisationUnit.objects.filter(name__startswith="Quận").exists()  # no district level after 2025
    ward_manager = User.objects.get(email="quanly.phuong@example.org")
    assert sorted(visible_units(ward_manager).values_list("code", flat=True)) == [
        "HN-P-HOANKIEM",
        "HN-P-HOANKIEM-CA",
        "HN-P-HOANKIEM-HPN",
        "HN-P-HOANKIEM-TYT",
        "HN-P-HOANKIEM-VHXH",
    ]
    assert (
        visible_units(User.objects.get(email="quanly.thanhpho@example.org")).count() == OrganisationUnit.objects.count()
    )


def test_demo_content_has_what_the_campaign_needs(client):
    from cms.models import ArticlePage, CampaignPage, MaterialPage, ProgrammePage, ServiceProvider, StandardPage

    call_command("load_demo_data")

    programme = ProgrammePage.objects.get()
    assert sorted(programme.areas.values_list("area", flat=True)) == [1, 2, 3, 4, 5, 6, 7]
    assert "106/KH-UBND" in programme.intro
    action_months = CampaignPage.objects.live().filter(title__startswith="Tháng hành động")
    assert {(c.start_date.month, c.start_date.day, c.end_date.month, c.end_date.day) for c in action_months} == {
        (11, 15, 12, 15)
    }
    assert ArticlePage.objects.live().count() >= 6
    materials = MaterialPage.objects.live()
    assert materials.count() >= 8
    assert all(material.files.exists() and material.preview_image for material in materials)
    real = ServiceProvider.objects.filter(is_sample=False)
    assert sorted(real.values_list("phone", flat=True)) == ["111", "113", "115"]
    assert ServiceProvider.objects.filter(is_sample=True).count() >= 3
    assert {"Giới thiệu", "Điều khoản sử dụng", "Tuyên bố về khả năng tiếp cận"} <= set(
        StandardPage.objects.values_list("title", flat=True)
    )
    for page in [programme, *materials[:2], ArticlePage.objects.first(), CampaignPage.objects.first()]:
        assert client.get(page.url).status_code == 200
    assert client.get("/").status_code == 200


def test_demo_courses_and_learners_progress(django_capture_on_commit_callbacks):
    from courses.models import Completion, CoursePage, Enrolment

    with django_capture_on_commit_callbacks(execute=True):  # the certificate follows the completion
        call_command("load_demo_data")

    awareness = CoursePage.objects.get(title="Hiểu đúng về bạo lực trên cơ sở giới")
    officials = CoursePage.objects.get(title="Tiếp nhận, xác minh và hỗ trợ người bị bạo lực trên cơ sở giới")
    assert awareness.area == 1 and officials.area == 3
    assert len(awareness.modules()) >= 4 and all(m.has_quiz for m in awareness.modules())
    assert len(officials.modules()) >= 6 and all(len(m.quiz) >= 5 for m in officials.modules())
    assert Completion.objects.filter(user__email="hocvien2@example.org", course=awareness).exists()
    in_progress = Enrolment.objects.filter(completed_at=None).values_list("user__email", "course__title")
    assert ("hocvien1@example.org", awareness.title) in in_progress and (
        "hocvien2@example.org",
        officials.title,
    ) in in_progress
    from certificates.models import Certificate
    from courses.models import Assignment

    assert Certificate.objects.get().user.email == "hocvien2@example.org"
    assert Assignment.objects.get().course == officials
    call_command("load_demo_data")
    assert Completion.objects.count() == 1 and Enrolment.objects.count() == 3
    assert Certificate.objects.count() == 1 and Assignment.objects.count() == 1
