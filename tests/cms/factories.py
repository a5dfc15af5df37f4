import datetime

from django.utils import timezone

from wagtail.models import Page, Site
from wagtail.rich_text import RichText

import factory

from cms.models import (
    ArticleIndexPage,
    ArticlePage,
    CampaignIndexPage,
    CampaignPage,
    HelpDirectoryPage,
    HomePage,
    MaterialFile,
    MaterialPage,
    MaterialsIndexPage,
    ProgrammePage,
    ServiceProvider,
    SiteSettings,
    StandardPage,
)


def make_image(title="Ảnh thử", colour=(120, 60, 160), size=(64, 40)):
    """A real PNG in Wagtail's image library."""
    import io

    from django.core.files.images import ImageFile

    from wagtail.images import get_image_model

    from PIL import Image as PillowImage

    buffer = io.BytesIO()
    PillowImage.new("RGB", size, colour).save(buffer, "PNG")
    return get_image_model().objects.create(title=title, file=ImageFile(buffer, name="anh-thu.png"))


def make_document(title="Tờ rơi thử", content=b"%PDF-1.4\n%test\n"):
    from django.core.files.base import ContentFile

    from wagtail.documents import get_document_model

    return get_document_model().objects.create(title=title, file=ContentFile(content, name="to-roi-thu.pdf"))


class PageFactory(factory.django.DjangoModelFactory):
    """A live page added under `parent` (a page) with treebeard's add_child, as Wagtail adds pages.

    Every page factory needs parent=<page>; only the home page defaults to the tree's root.
    """

    class Meta:
        abstract = True

    title = factory.Sequence(lambda n: f"Trang thử {n}")
    slug = factory.Sequence(lambda n: f"trang-thu-{n}")

    @classmethod
    def _build(cls, model_class, *args, parent=None, **kwargs):
        return model_class(*args, **kwargs)

    @classmethod
    def _create(cls, model_class, *args, parent, **kwargs):
        return parent.add_child(instance=model_class(*args, **kwargs))


class HomePageFactory(PageFactory):
    class Meta:
        model = HomePage

    parent = factory.LazyFunction(Page.get_first_root_node)
    title = "Trang chủ thử nghiệm"
    slug = "trang-chu"


class StandardPageFactory(PageFactory):
    class Meta:
        model = StandardPage


class ProgrammePageFactory(PageFactory):
    class Meta:
        model = ProgrammePage

    title = "Chương trình"
    slug = "chuong-trinh"
    show_in_menus = True


class CampaignIndexPageFactory(PageFactory):
    class Meta:
        model = CampaignIndexPage

    title = "Chiến dịch"
    slug = "chien-dich"
    show_in_menus = True


class CampaignPageFactory(PageFactory):
    """A campaign running from three days ago for a month, unless given dates (`starts_in` days from today)."""

    class Meta:
        model = CampaignPage

    class Params:
        starts_in = -3
        lasts = 30

    theme = "Chấm dứt bạo lực"
    start_date = factory.LazyAttribute(lambda c: timezone.localdate() + datetime.timedelta(days=c.starts_in))
    end_date = factory.LazyAttribute(lambda c: c.start_date + datetime.timedelta(days=c.lasts))


class ArticleIndexPageFactory(PageFactory):
    class Meta:
        model = ArticleIndexPage

    title = "Tin tức"
    slug = "tin-tuc"
    show_in_menus = True


class ArticlePageFactory(PageFactory):
    """An article of today; tags=[...] adds tags and publishes a revision, as an editor saving them would."""

    class Meta:
        model = ArticlePage
        skip_postgeneration_save = True

    date = factory.LazyFunction(timezone.localdate)
    area = 1

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)
            self.save_revision().publish()


class MaterialsIndexPageFactory(PageFactory):
    class Meta:
        model = MaterialsIndexPage

    title = "Tài liệu"
    slug = "tai-lieu"
    show_in_menus = True


class MaterialPageFactory(PageFactory):
    class Meta:
        model = MaterialPage

    material_type = MaterialPage.Type.LEAFLET


class MaterialFileFactory(factory.django.DjangoModelFactory):
    """One downloadable file of a material: a small PDF in Wagtail's documents unless given one."""

    class Meta:
        model = MaterialFile

    document = factory.LazyFunction(make_document)
    label = "Tờ rơi (PDF)"


class HelpDirectoryPageFactory(PageFactory):
    class Meta:
        model = HelpDirectoryPage

    title = "Tìm trợ giúp"
    slug = "tim-tro-giup"
    show_in_menus = True


class ServiceProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceProvider

    name = factory.Sequence(lambda n: f"Nơi hỗ trợ {n}")
    provider_type = ServiceProvider.Type.HOTLINE
    phone = "111"


def make_home_page(quick_exit_url):
    """The default site's home page with a privacy page, and the site settings naming both."""
    home = HomePageFactory()
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
    )
    privacy = StandardPageFactory(
        parent=home,
        title="Bảo vệ dữ liệu cá nhân",
        slug="bao-mat",
        body=[("paragraph", RichText("<p>Nội dung.</p>"))],
    )
    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.organisation_name = "Chương trình thử nghiệm"
    settings.quick_exit_url = quick_exit_url
    settings.privacy_page = privacy
    settings.save()
    return home


def make_site_tree(home, ward):
    """One page of every public type under `home`, with an image and a document, all live; a local
    service provider in `ward`. Returned by name (the `site_tree` fixture); made in menu order."""
    today = timezone.localdate()
    tree = {"home": home, "image": make_image(), "document": make_document()}
    tree["programme"] = ProgrammePageFactory(parent=home)
    tree["campaigns"] = campaigns = CampaignIndexPageFactory(parent=home)
    tree["current"] = CampaignPageFactory(
        parent=campaigns, title="Tháng hành động", slug="thang-hanh-dong", hero_image=tree["image"]
    )
    tree["upcoming"] = CampaignPageFactory(
        parent=campaigns, title="Chiến dịch sắp tới", slug="sap-toi", theme="Gia đình an toàn", starts_in=40
    )
    tree["past"] = CampaignPageFactory(
        parent=campaigns, title="Chiến dịch năm ngoái", slug="nam-ngoai", theme="Trường học an toàn", starts_in=-400
    )
    tree["articles"] = articles = ArticleIndexPageFactory(parent=home)
    tree["article"] = ArticlePageFactory(
        parent=articles,
        title="Ra quân Tháng hành động",
        slug="ra-quan",
        hero_image=tree["image"],
        summary="Lễ ra quân tại phường Hoàn Kiếm.",
        tags=["thang-hanh-dong"],
    )
    tree["training"] = ArticlePageFactory(
        parent=articles,
        title="Tập huấn cán bộ tiếp nhận",
        slug="tap-huan",
        date=today - datetime.timedelta(days=5),
        area=3,
    )
    tree["materials"] = materials = MaterialsIndexPageFactory(parent=home)
    tree["material"] = MaterialPageFactory(
        parent=materials, title="Tờ rơi nhận diện bạo lực", slug="to-roi", preview_image=tree["image"]
    )
    MaterialFileFactory(page=tree["material"], document=tree["document"])
    tree["help"] = HelpDirectoryPageFactory(parent=home)
    tree["hotline"] = ServiceProviderFactory(name="Tổng đài quốc gia bảo vệ trẻ em")
    tree["local"] = ServiceProviderFactory(
        name="Nhà tạm lánh mẫu",
        provider_type=ServiceProvider.Type.SHELTER,
        phone="024 0000 0000",
        ward=ward,
        is_sample=True,
        last_verified=today - datetime.timedelta(days=400),
    )
    return tree
