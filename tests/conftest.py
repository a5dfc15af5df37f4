from wagtail.models import Page, Site
from wagtail.rich_text import RichText

import pytest

from cms.models import HomePage, SiteSettings, StandardPage
from tests.accounts.factories import OrganisationUnitFactory

QUICK_EXIT_URL = "https://neutral.example.com/weather"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth's rate limits count in the cache: each test starts from zero.
    from django.conf import settings
    from django.core.cache import caches

    for alias in settings.CACHES:
        caches[alias].clear()
    yield
    for alias in settings.CACHES:
        caches[alias].clear()


@pytest.fixture
def home_page(db):
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Trang chủ thử nghiệm", slug="trang-chu"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
    )
    privacy = home.add_child(
        instance=StandardPage(
            title="Bảo vệ dữ liệu cá nhân", slug="bao-mat", body=[("paragraph", RichText("<p>Nội dung.</p>"))]
        )
    )
    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.organisation_name = "Chương trình thử nghiệm"
    settings.quick_exit_url = QUICK_EXIT_URL
    settings.privacy_page = privacy
    settings.save()
    return home


@pytest.fixture
def unit_tree(db):
    """City → department, and city → ward → two units; returned by code."""
    city = OrganisationUnitFactory(code="HN", name="Thành phố Hà Nội", type="city")
    department = OrganisationUnitFactory(code="HN-SYT", name="Sở Y tế", type="department", parent=city)
    ward = OrganisationUnitFactory(code="HN-P-HK", name="Phường Hoàn Kiếm", type="ward", parent=city)
    health = OrganisationUnitFactory(code="HN-P-HK-TYT", name="Trạm Y tế phường Hoàn Kiếm", parent=ward)
    police = OrganisationUnitFactory(code="HN-P-HK-CA", name="Công an phường Hoàn Kiếm", parent=ward)
    other_ward = OrganisationUnitFactory(code="HN-X-SS", name="Xã Sóc Sơn", type="commune", parent=city)
    return {unit.code: unit for unit in (city, department, ward, health, police, other_ward)}


def sign_in_past_second_factor(client, user):
    """Sign `user` in as allauth's login with a TOTP code would: a password, then the code.

    Binds a TOTP authenticator if the user has none, and writes allauth's authentication records
    for the session (accounts.mfa.has_passed_second_factor reads them). Every test that signs
    staff in without going through the login pages uses this.
    """
    from django.test import RequestFactory

    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        authenticator = TOTP.activate(user, generate_totp_secret()).instance
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session, request.user = client.session, user
    record_authentication(request, user, "password", email=user.email)
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
    request.session.save()
    return client


@pytest.fixture
def staff_client(client, home_page):
    """A client signed in as a staff member of the given roles, past the TOTP step."""
    from tests.accounts.factories import UserFactory

    def sign_in(*roles, **user_fields):
        user = UserFactory(roles=list(roles), **user_fields)
        sign_in_past_second_factor(client, user)
        client.user = user
        return client

    return sign_in


@pytest.fixture
def site_tree(home_page, unit_tree):
    """One page of every public type, with an image and a document, all live."""
    import datetime

    from django.utils import timezone

    from cms.models import (
        ArticleIndexPage,
        ArticlePage,
        CampaignIndexPage,
        CampaignPage,
        HelpDirectoryPage,
        MaterialFile,
        MaterialPage,
        MaterialsIndexPage,
        ProgrammePage,
        ServiceProvider,
    )
    from tests.cms.factories import make_document, make_image

    today = timezone.localdate()
    image, document = make_image(), make_document()
    programme = home_page.add_child(
        instance=ProgrammePage(title="Chương trình", slug="chuong-trinh", show_in_menus=True)
    )
    campaigns = home_page.add_child(
        instance=CampaignIndexPage(title="Chiến dịch", slug="chien-dich", show_in_menus=True)
    )
    current = campaigns.add_child(
        instance=CampaignPage(
            title="Tháng hành động",
            slug="thang-hanh-dong",
            theme="Chấm dứt bạo lực",
            start_date=today - datetime.timedelta(days=3),
            end_date=today + datetime.timedelta(days=27),
            hero_image=image,
        )
    )
    upcoming = campaigns.add_child(
        instance=CampaignPage(
            title="Chiến dịch sắp tới",
            slug="sap-toi",
            theme="Gia đình an toàn",
            start_date=today + datetime.timedelta(days=40),
            end_date=today + datetime.timedelta(days=70),
        )
    )
    past = campaigns.add_child(
        instance=CampaignPage(
            title="Chiến dịch năm ngoái",
            slug="nam-ngoai",
            theme="Trường học an toàn",
            start_date=today - datetime.timedelta(days=400),
            end_date=today - datetime.timedelta(days=370),
        )
    )
    articles = home_page.add_child(instance=ArticleIndexPage(title="Tin tức", slug="tin-tuc", show_in_menus=True))
    article = articles.add_child(
        instance=ArticlePage(
            title="Ra quân Tháng hành động",
            slug="ra-quan",
            date=today,
            area=1,
            hero_image=image,
            summary="Lễ ra quân tại phường Hoàn Kiếm.",
        )
    )
    article.tags.add("thang-hanh-dong")
    article.save_revision().publish()
    training = articles.add_child(
        instance=ArticlePage(
            title="Tập huấn cán bộ tiếp nhận", slug="tap-huan", date=today - datetime.timedelta(days=5), area=3
        )
    )
    materials = home_page.add_child(instance=MaterialsIndexPage(title="Tài liệu", slug="tai-lieu", show_in_menus=True))
    material = materials.add_child(
        instance=MaterialPage(
            title="Tờ rơi nhận diện bạo lực", slug="to-roi", material_type="leaflet", preview_image=image
        )
    )
    MaterialFile.objects.create(page=material, document=document, label="Tờ rơi (PDF)")
    help_page = home_page.add_child(
        instance=HelpDirectoryPage(title="Tìm trợ giúp", slug="tim-tro-giup", show_in_menus=True)
    )
    hotline = ServiceProvider.objects.create(
        name="Tổng đài quốc gia bảo vệ trẻ em", provider_type="hotline", phone="111"
    )
    local = ServiceProvider.objects.create(
        name="Nhà tạm lánh mẫu",
        provider_type="shelter",
        phone="024 0000 0000",
        ward=unit_tree["HN-P-HK"],
        is_sample=True,
        last_verified=today - datetime.timedelta(days=400),
    )
    return {
        "home": home_page,
        "programme": programme,
        "campaigns": campaigns,
        "current": current,
        "upcoming": upcoming,
        "past": past,
        "articles": articles,
        "article": article,
        "training": training,
        "materials": materials,
        "material": material,
        "help": help_page,
        "hotline": hotline,
        "local": local,
        "image": image,
        "document": document,
    }


@pytest.fixture
def course(home_page):
    """An ordered course of three modules: a lesson, a single-choice quiz, a two-question quiz."""
    import json

    from courses.blocks import stored_question
    from courses.models import CourseIndexPage, CoursePage, ModulePage

    catalogue = home_page.add_child(instance=CourseIndexPage(title="Khóa học", slug="courses"))
    course = catalogue.add_child(
        instance=CoursePage(
            title="Hiểu đúng về bạo lực trên cơ sở giới",
            slug="hieu-dung",
            summary="Khóa học cho mọi người.",
            objectives="<p>Nhận diện bạo lực.</p>",
            area=1,
            hours=2,
            pass_mark=100,
            modules_in_order=True,
        )
    )
    lesson = course.add_child(instance=ModulePage(title="Khái niệm", slug="khai-niem"))
    first_quiz = [
        stored_question(
            "Bạo lực chỉ là đánh đập?", [("Đúng", False), ("Sai", True)], explanation="<p>Còn nhiều hình thức khác.</p>"
        )
    ]
    quiz_one = course.add_child(
        instance=ModulePage(title="Các hình thức", slug="hinh-thuc", quiz=json.dumps(first_quiz), attempt_limit=3)
    )
    second_quiz = [
        stored_question("Gọi số nào khi trẻ em bị xâm hại?", [("111", True), ("114", False)]),
        stored_question(
            "Những hành vi nào là bạo lực?",
            [("Đánh đập", True), ("Kiểm soát tiền", True), ("Lắng nghe", False)],
            kind="multiple_choice",
        ),
    ]
    quiz_two = course.add_child(
        instance=ModulePage(title="Tìm trợ giúp", slug="tim-tro-giup", quiz=json.dumps(second_quiz))
    )
    return {"catalogue": catalogue, "course": course, "lesson": lesson, "quiz_one": quiz_one, "quiz_two": quiz_two}
