"""The programme page: each area leads to where its work lives; the plan's targets as stated text
beside the platform's own live figures (this year and since 2021), counted, cached, never typed in."""

import datetime
import io
import re
import time
from unittest import mock

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from wagtail.models import Site

import pytest

from certificates.models import Certificate
from cms import demo as cms_demo
from cms.models import MaterialDownloadCount, ProgrammePage, SiteSettings
from courses import demo as courses_demo
from courses.models import CourseIndexPage
from reports.programme_figures import programme_figures
from tests.accounts.factories import OrganisationUnitFactory, UserFactory
from tests.certificates.factories import CertificateFactory
from tests.cms.factories import MaterialFileFactory, MaterialPageFactory
from tests.courses.factories import AssignmentFactory, CompletionFactory, CourseIndexPageFactory, CoursePageFactory

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year
LAST_YEAR = datetime.date(THIS_YEAR - 1, 6, 1)


def figure_cells(html, name):
    """The (this year, since 2021) cells of the figure's row, as a visitor reads them."""
    row = re.search(rf'data-figure="{name}">(.*?)</tr>', html, re.S).group(1)
    return tuple(int(cell) for cell in re.findall(r"<td>(\d+)</td>", row))


def test_each_area_of_the_demo_programme_links_to_where_its_work_lives(client, home_page):
    # The demo's pages (cms) and its catalogue link (courses), as load_demo_data runs them in turn.
    cms_demo.load(home_page, io.StringIO())
    courses_demo.link_training_area_to(CourseIndexPageFactory(parent=home_page))
    courses_demo.link_training_area_to(CourseIndexPage.objects.get())  # safe to run twice
    programme = ProgrammePage.objects.get()
    links = {
        area.area: area.link_page.specific_class.__name__ if area.link_page else None for area in programme.areas.all()
    }

    assert links == {
        1: "CampaignIndexPage",
        2: "HelpDirectoryPage",
        3: "CourseIndexPage",
        4: "HelpDirectoryPage",
        5: None,
        6: None,
        7: "ArticleIndexPage",
    }
    html = client.get(programme.url).content.decode()
    catalogue = CourseIndexPage.objects.get()
    area_three = re.search(r'data-area="3">(.*?)</li>', html, re.S).group(1)
    assert f'href="{catalogue.url}"' in area_three
    # The editor's next edit starts from the revision that links the catalogue.
    assert programme.get_latest_revision_as_object().areas.get(area=3).link_page_id == catalogue.pk
    # The 2025 targets stay as stated text, beside the counted figures.
    assert "50%" in html and "100%" in html and 'data-figure="officials-trained"' in html


@pytest.fixture
def training(home_page):
    catalogue = CourseIndexPageFactory(parent=home_page)
    return {
        "catalogue": catalogue,
        "officials": CoursePageFactory(parent=catalogue, area=3, title="Tập huấn cán bộ"),
        "awareness": CoursePageFactory(parent=catalogue, area=1, title="Nhận thức"),
    }


def test_officials_trained_are_distinct_learners_with_an_area_3_completion_this_year_and_since_2021(training):
    official, other = UserFactory(), UserFactory()
    CompletionFactory(user=official, course=training["officials"])
    second_course = CoursePageFactory(parent=training["catalogue"], area=3)
    CompletionFactory(user=official, course=second_course)  # the same official, counted once
    CompletionFactory(user=other, course=training["officials"], completed_on=LAST_YEAR)
    CompletionFactory(course=training["officials"], completed_on=datetime.date(2020, 12, 31))  # before the plan
    CompletionFactory(course=training["awareness"])  # area 1: not training of officials

    figures = programme_figures()

    assert (figures.this_year.officials_trained, figures.since_plan_start.officials_trained) == (1, 2)


def test_certificates_issued_count_a_reissue_once(training):
    this_year = CertificateFactory(course=training["officials"])
    earlier = CertificateFactory(course=training["awareness"])
    Certificate.objects.filter(pk=earlier.pk).update(issued_on=LAST_YEAR)
    from certificates import services

    services.reissue(this_year, UserFactory(is_superuser=True, is_staff=True), "Sửa họ tên")

    figures = programme_figures()

    assert (figures.this_year.certificates_issued, figures.since_plan_start.certificates_issued) == (1, 2)


def test_a_unit_counts_as_fully_trained_when_every_assigned_official_completed_every_assigned_course(training):
    officials, awareness = training["officials"], training["awareness"]
    city = OrganisationUnitFactory(code="TP", name="Thành phố")
    ward = OrganisationUnitFactory(code="P1", name="Phường 1", parent=city)
    done, partly, untrained, last_year = (
        OrganisationUnitFactory(code=f"P1-{n}", name=f"Đơn vị {n}", parent=ward) for n in range(4)
    )
    unassigned = OrganisationUnitFactory(code="P2", name="Phường 2", parent=city)
    AssignmentFactory(course=officials, unit=ward)  # covers the four units below it
    AssignmentFactory(course=awareness, unit=done)
    for learner in UserFactory.create_batch(2, unit=done):
        CompletionFactory(user=learner, course=officials)
        CompletionFactory(user=learner, course=awareness)
    UserFactory(unit=done, is_active=False)  # has left: no longer expected
    CompletionFactory(user=UserFactory(unit=partly), course=officials)
    UserFactory(unit=partly)  # has not completed
    UserFactory(unit=untrained)
    CompletionFactory(user=UserFactory(unit=last_year), course=officials, completed_on=LAST_YEAR)
    CompletionFactory(user=UserFactory(unit=unassigned), course=officials)  # nothing assigned there

    figures = programme_figures()

    assert (figures.this_year.units_fully_trained, figures.since_plan_start.units_fully_trained) == (1, 2)


def test_downloads_are_counted_per_material_and_year_when_a_file_is_downloaded(client, site_tree):
    material = site_tree["material"]
    other = MaterialPageFactory(parent=site_tree["materials"], title="Áp phích", slug="ap-phich")
    other_file = MaterialFileFactory(page=other)
    own_file = material.files.get()

    for _ in range(3):
        assert client.get(reverse("download_material_file", args=[own_file.pk])).status_code == 302
    client.get(reverse("download_material_file", args=[other_file.pk]))
    MaterialDownloadCount.objects.create(material=material, year=THIS_YEAR - 1, downloads=5)

    assert MaterialDownloadCount.objects.get(material=material, year=THIS_YEAR).downloads == 3
    figures = programme_figures()
    assert (figures.this_year.material_downloads, figures.since_plan_start.material_downloads) == (4, 9)


def test_materials_published_count_live_materials_by_their_first_publication(site_tree):
    materials = site_tree["materials"]
    published = MaterialPageFactory(parent=materials, title="Mới", slug="moi", live=False)
    published.save_revision().publish()
    old = MaterialPageFactory(parent=materials, title="Cũ", slug="cu", live=False)
    old.save_revision().publish()
    type(old).objects.filter(pk=old.pk).update(first_published_at=timezone.now().replace(year=THIS_YEAR - 1))
    MaterialPageFactory(parent=materials, title="Nháp", slug="nhap", live=False)
    # site_tree's material was put live by a script, with no date of publication: since 2021 only.

    figures = programme_figures()

    assert (figures.this_year.materials_published, figures.since_plan_start.materials_published) == (1, 3)


def test_the_page_shows_the_figures_and_the_targets_progress(client, site_tree, training):
    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.officials_to_train_this_year = 4
    settings.save()
    for _ in range(3):
        CompletionFactory(course=training["officials"])

    html = client.get(site_tree["programme"].url).content.decode()

    assert figure_cells(html, "officials-trained") == (3, 3)
    target = re.search(r'data-target="officials">(.*?)</li>', html, re.S).group(1)
    assert "Cán bộ đã được tập huấn: 3 trên 4 (75%)" in target
    assert 'max="4" value="3"' in target and "75%" in target
    assert 'data-target="units"' not in html  # no target set, no bar


@override_settings(PROGRAMME_FIGURES_SECONDS=60)
def test_the_figures_are_cached_then_counted_again_after_the_timeout(client, site_tree, training):
    url = site_tree["programme"].url
    CompletionFactory(course=training["officials"])
    now = time.time()
    with mock.patch("time.time", side_effect=lambda: now + elapsed):
        elapsed = 0
        first = client.get(url)
        assert figure_cells(first.content.decode(), "officials-trained") == (1, 1)
        assert first["Cache-Control"] == "max-age=60"

        CompletionFactory(course=training["officials"])
        elapsed = 30  # the page (from the page cache) and the figures are still those counted
        assert figure_cells(client.get(url).content.decode(), "officials-trained") == (1, 1)

        elapsed = 61  # past the figures' time, and so past the page's max-age
        assert figure_cells(client.get(url).content.decode(), "officials-trained") == (2, 2)


@pytest.mark.parametrize("field", ["officials_to_train_this_year", "units_to_train_this_year"])
def test_a_negative_target_is_refused_with_a_message_and_nothing_changes(staff_client, field):
    client = staff_client("Administrators", is_superuser=True, is_staff=True)
    site = Site.objects.get(is_default_site=True)
    url = reverse("wagtailsettings:edit", args=["cms", "sitesettings", site.pk])
    form = client.get(url).context["form"]
    data = {}
    for name, bound in form.fields.items():
        value = form.initial.get(name, bound.initial)
        data[name] = "" if value is None else getattr(value, "pk", value)
    for formset in form.formsets.values():
        prefix = formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0, f"{prefix}-MIN_NUM_FORMS": 0})
        data[f"{prefix}-MAX_NUM_FORMS"] = 1000
    data[field] = "-5"

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Đảm bảo giá trị này lớn hơn hoặc bằng" in response.content.decode()
    assert getattr(SiteSettings.for_site(site), field) is None
