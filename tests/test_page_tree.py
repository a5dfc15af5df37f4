"""Where each page type of the site may live: its parents and children as the models declare them
(parent_page_types, subpage_types, max_count_per_parent). One table for the whole tree, since the
home page (cms) takes the course catalogue (courses); a page type added without a row fails here."""

from pathlib import Path

from wagtail.models import Page, get_page_models
from wagtail.test.utils import WagtailPageTestCase

from cms.models import (
    ArticleIndexPage,
    ArticlePage,
    CampaignIndexPage,
    CampaignPage,
    HelpDirectoryPage,
    HomePage,
    MaterialPage,
    MaterialsIndexPage,
    ProgrammePage,
    StandardPage,
)
from courses.models import CourseIndexPage, CoursePage, ModulePage
from tests.cms.factories import (
    ArticleIndexPageFactory,
    CampaignIndexPageFactory,
    HelpDirectoryPageFactory,
    HomePageFactory,
    MaterialsIndexPageFactory,
    ProgrammePageFactory,
)
from tests.courses.factories import CourseIndexPageFactory

SECTIONS = {ProgrammePage, CampaignIndexPage, ArticleIndexPage, MaterialsIndexPage, HelpDirectoryPage, CourseIndexPage}

# page type: (the types it may be created under, the types that may be created under it). Wagtail
# counts its own Page among the children of a type that does not restrict them; editors cannot
# create one (Page.is_creatable is False).
PAGE_TREE = {
    HomePage: ({Page}, {Page, StandardPage, *SECTIONS}),
    # A standard page (privacy, about) goes under any page that does not restrict its children.
    StandardPage: ({Page, HomePage, StandardPage, ProgrammePage, HelpDirectoryPage}, {Page, StandardPage}),
    ProgrammePage: ({HomePage}, {Page, StandardPage}),
    CampaignIndexPage: ({HomePage}, {CampaignPage}),
    CampaignPage: ({CampaignIndexPage}, set()),
    ArticleIndexPage: ({HomePage}, {ArticlePage}),
    ArticlePage: ({ArticleIndexPage}, set()),
    MaterialsIndexPage: ({HomePage}, {MaterialPage}),
    MaterialPage: ({MaterialsIndexPage}, set()),
    HelpDirectoryPage: ({HomePage}, {Page, StandardPage}),
    CourseIndexPage: ({HomePage}, {CoursePage}),
    CoursePage: ({CourseIndexPage}, {ModulePage}),
    ModulePage: ({CoursePage}, set()),
}

# Made once under their parent; the others as often as editors like.
ONE_PER_PARENT = {HomePage, ProgrammePage, CampaignIndexPage, HelpDirectoryPage, CourseIndexPage}


def our_page_types():
    """Every concrete page type of the project's own apps (not Wagtail's or another package's)."""
    return {model for model in get_page_models() if "site-packages" not in Path(model._meta.app_config.path).parts}


class PageTreeTests(WagtailPageTestCase):
    def test_every_page_type_of_our_apps_has_a_row(self):
        self.assertEqual(our_page_types(), set(PAGE_TREE))

    def test_each_page_type_is_created_only_under_its_parents(self):
        for page_type, (parents, _children) in PAGE_TREE.items():
            with self.subTest(page_type=page_type.__name__):
                self.assertAllowedParentPageTypes(page_type, parents)

    def test_each_page_type_takes_only_its_children(self):
        for page_type, (_parents, children) in PAGE_TREE.items():
            with self.subTest(page_type=page_type.__name__):
                self.assertAllowedSubpageTypes(page_type, children)

    def test_each_pair_of_page_types_can_or_cannot_be_created_one_under_the_other(self):
        for parent in [Page, *PAGE_TREE]:
            for child in PAGE_TREE:
                with self.subTest(parent=parent.__name__, child=child.__name__):
                    if parent in PAGE_TREE[child][0]:
                        self.assertCanCreateAt(parent, child)
                    else:
                        self.assertCanNotCreateAt(parent, child)

    def test_the_home_page_and_its_single_sections_are_made_once_per_parent(self):
        home = HomePageFactory()
        self.assertFalse(HomePage.can_create_at(home.get_parent()))
        sections = [
            ProgrammePageFactory,
            CampaignIndexPageFactory,
            ArticleIndexPageFactory,
            MaterialsIndexPageFactory,
            HelpDirectoryPageFactory,
            CourseIndexPageFactory,
        ]
        for section_factory in sections:
            section_type = section_factory._meta.model
            with self.subTest(section=section_type.__name__):
                self.assertTrue(section_type.can_create_at(home))
                section_factory(parent=home)
                self.assertEqual(section_type.can_create_at(home), section_type not in ONE_PER_PARENT)
        self.assertEqual(ONE_PER_PARENT, {model for model in PAGE_TREE if model.max_count_per_parent == 1})
