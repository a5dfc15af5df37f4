import datetime
import html
from http import HTTPMethod

from django.conf import settings
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from cms.blocks import RICH_TEXT_FEATURES, BodyBlock, KeyFiguresBlock
from cms.listing import chosen_filters, filter_context, page_number
from cms.models.snippets import ServiceProvider
from cms.routing import route_from_site_root


class ProgrammeArea(models.IntegerChoices):
    """The seven content areas of the programme, numbered as in the plan (DESIGN.md)."""

    COMMUNICATION = 1, _("1. Communication, advocacy and education")
    MODELS = 2, _("2. Models and service providers for prevention and response")
    TRAINING = 3, _("3. Training and capacity building")
    RESPONSE = 4, _("4. Receiving reports, protecting victims, handling perpetrators")
    RESOURCES = 5, _("5. Mobilising resources and technical support")
    INSPECTION = 6, _("6. Inspection and supervision")
    EVALUATION = 7, _("7. Summing up, evaluation and commendation")


class BasePage(Page):
    """What every public page has: an optional content warning shown before its content."""

    content_warning = models.TextField(
        _("content warning"),
        blank=True,
        help_text=_("If set, shown before the content, which stays folded until the reader opens it."),
    )

    settings_panels = Page.settings_panels + [FieldPanel("content_warning")]
    og_type = "website"
    # What a page answers; anything else gets 405 with these in Allow (Wagtail's default would
    # take every method, and advertise PUT, PATCH and DELETE to OPTIONS). Pages with forms add POST.
    allowed_http_methods = [HTTPMethod.GET, HTTPMethod.HEAD]
    # Whether only a signed-in person may read the page (its view sends anyone else to the login
    # page). Such a page is no use to a search engine: it stays out of the sitemap.
    requires_sign_in = False

    class Meta:
        abstract = True

    # Where a page's description comes from when its editor wrote no search description, in order:
    # text fields first, then the first paragraph of the body.
    DESCRIPTION_FIELDS = ("summary", "intro", "goals")
    DESCRIPTION_LENGTH = 160

    @cached_property
    def meta_description(self):
        """The page's description for search engines and link previews (<meta name="description">,
        og:description): its search description, else its summary or introduction, else the first
        paragraph of its body, else its title; plain text, at most DESCRIPTION_LENGTH characters.
        A page with a content warning is previewed by its warning, not by the content it folds."""
        candidates = [self.search_description]
        if self.content_warning:
            candidates.append(self.content_warning)
        candidates += [str(getattr(self, name, "") or "") for name in self.DESCRIPTION_FIELDS]
        body = getattr(self, "body", None) or []
        candidates += [str(block.value.source) for block in body if block.block_type == "paragraph"][:1]
        for candidate in candidates:
            text = " ".join(html.unescape(strip_tags(candidate)).split())
            if text:
                return Truncator(text).chars(self.DESCRIPTION_LENGTH)
        return self.title

    def get_sitemap_urls(self, request=None):
        return [] if self.requires_sign_in else super().get_sitemap_urls(request)

    def route(self, request, path_components):
        site = getattr(request, "_wagtail_site", None)
        if site is not None and site.root_page_id == self.pk:  # where Wagtail starts: the site's root
            return route_from_site_root(self, request, path_components, walk=self.walk_route)
        return self.walk_route(request, path_components)

    def walk_route(self, request, path_components):
        # Where every child is of one type (an index of articles, a course of modules), fetch the
        # child as that type in one query instead of Wagtail's two: the page, then its specific row.
        child_models = self.allowed_subpage_models() if path_components else []
        if len(child_models) == 1:
            child = child_models[0].objects.child_of(self).filter(slug=path_components[0]).first()
            if child is not None:
                child._cached_parent_obj = self
                return child.route(request, path_components[1:])
        return super().route(request, path_components)

    def remember_view_restrictions(self):
        """Read the view restrictions of the page and its ancestors now, so that a page remembered
        between requests (cms.routing) is checked against them without a query."""
        self._view_restrictions = list(super().get_view_restrictions())

    def get_view_restrictions(self):
        if "_view_restrictions" in self.__dict__:
            return self._view_restrictions
        return super().get_view_restrictions()

    @property
    def og_image(self):
        """The image that represents the page when it is shared."""
        return getattr(self, "hero_image", None) or getattr(self, "preview_image", None)


class SectionPage(BasePage):
    """A page of its own under the home page: an introduction, then its listing, then a body."""

    intro = RichTextField(_("introduction"), features=RICH_TEXT_FEATURES, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage"]

    class Meta:
        abstract = True


class HomePage(BasePage):
    """The campaign's home: its message, the current campaign, latest articles, help band."""

    intro = RichTextField(_("campaign message"), features=RICH_TEXT_FEATURES, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["current_campaign"] = CampaignPage.objects.live().current().first()
        context["latest_articles"] = (
            ArticlePage.objects.live().descendant_of(self).order_by("-date", "-pk").select_related("hero_image")[:3]
        )
        return context


class ProgrammePage(BasePage):
    """The programme's seven areas and its 2025 targets."""

    intro = RichTextField(_("introduction"), features=RICH_TEXT_FEATURES, blank=True)
    targets = StreamField([("key_figures", KeyFiguresBlock())], verbose_name=_("targets"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("targets"),
        InlinePanel("areas", label=_("Programme areas")),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("programme page")
        verbose_name_plural = _("programme pages")

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        # The page shows live figures (reports.programme_figures), cached for this long: the
        # anonymous page cache and any shared cache downstream keep the page no longer.
        patch_cache_control(response, max_age=settings.PROGRAMME_FIGURES_SECONDS)
        return response


class ProgrammePageArea(Orderable):
    page = ParentalKey(ProgrammePage, verbose_name=_("page"), related_name="areas", on_delete=models.CASCADE)
    area = models.PositiveSmallIntegerField(_("area"), choices=ProgrammeArea.choices)
    summary = models.TextField(_("summary"))
    link_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("what the site offers for it"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [FieldPanel("area"), FieldPanel("summary"), FieldPanel("link_page")]

    class Meta(Orderable.Meta):
        verbose_name = _("programme area")
        verbose_name_plural = _("programme areas")


class CampaignPageQuerySet(PageQuerySet):
    def current(self):
        """Campaigns running today, in the site's time zone (as CampaignPage.status says)."""
        today = timezone.localdate()
        return self.filter(start_date__lte=today, end_date__gte=today)


class CampaignIndexPage(SectionPage):
    """Campaigns: the current ones first, then upcoming, then past."""

    subpage_types = ["cms.CampaignPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("campaign index")
        verbose_name_plural = _("campaign indexes")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # One query, sorted here: the three groups are small.
        campaigns = list(CampaignPage.objects.live().child_of(self).select_related("hero_image").order_by("start_date"))
        context["current"] = sorted((c for c in campaigns if c.status == "current"), key=lambda c: c.end_date)
        context["upcoming"] = [c for c in campaigns if c.status == "upcoming"]
        context["past"] = sorted((c for c in campaigns if c.status == "past"), key=lambda c: c.end_date, reverse=True)
        return context


class CampaignPage(BasePage):
    """A time-bound campaign, such as the yearly Action Month (15 November to 15 December)."""

    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    theme = models.CharField(_("theme"), max_length=255)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    goals = RichTextField(_("goals"), features=RICH_TEXT_FEATURES, blank=True)
    activities = RichTextField(_("activities"), features=RICH_TEXT_FEATURES, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    objects = PageManager.from_queryset(CampaignPageQuerySet)()

    content_panels = Page.content_panels + [
        MultiFieldPanel([FieldPanel("start_date"), FieldPanel("end_date")], heading=_("Dates")),
        FieldPanel("theme"),
        FieldPanel("hero_image"),
        FieldPanel("goals"),
        FieldPanel("activities"),
        FieldPanel("body"),
        InlinePanel("campaign_materials", label=_("Materials")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("theme"),
        index.SearchField("goals"),
        index.SearchField("activities"),
        index.SearchField("body"),
        index.FilterField("start_date"),
        index.FilterField("end_date"),
    ]
    parent_page_types = ["cms.CampaignIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The campaign cannot end before it starts.")})

    @property
    def status(self):
        today = timezone.localdate()
        if self.start_date > today:
            return "upcoming"
        return "past" if self.end_date < today else "current"


class CampaignMaterial(Orderable):
    page = ParentalKey(
        CampaignPage, verbose_name=_("page"), related_name="campaign_materials", on_delete=models.CASCADE
    )
    material = models.ForeignKey(
        "cms.MaterialPage", verbose_name=_("material"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("material")]

    class Meta(Orderable.Meta):
        verbose_name = _("campaign material")
        verbose_name_plural = _("campaign materials")


class ArticleIndexPage(SectionPage):
    """News and stories, newest first, ten to a page, filtered by area and tag."""

    subpage_types = ["cms.ArticlePage"]
    per_page = 10

    class Meta:
        verbose_name = _("article index")
        verbose_name_plural = _("article indexes")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = ArticlePage.objects.live().child_of(self).order_by("-date", "-pk").select_related("hero_image")
        chosen = chosen_filters(request, {"area": ProgrammeArea})
        if "area" in chosen:
            articles = articles.filter(area=chosen["area"])
        tag = request.GET.get("tag", "").strip()[:100]
        if tag:
            articles = articles.filter(tags__slug=tag)
            chosen["tag"] = tag
        context.update(filter_context(chosen))
        context["articles"] = page_number(request, Paginator(articles, self.per_page))
        context["areas"] = ProgrammeArea.choices
        return context


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "cms.ArticlePage", verbose_name=_("article"), related_name="tagged_items", on_delete=models.CASCADE
    )

    class Meta(TaggedItemBase.Meta):
        verbose_name = _("article tag")
        verbose_name_plural = _("article tags")


class ArticlePage(BasePage):
    date = models.DateField(_("date"), default=datetime.date.today)
    author = models.CharField(_("author"), max_length=255, blank=True)
    area = models.PositiveSmallIntegerField(
        _("programme area"), choices=ProgrammeArea.choices, default=ProgrammeArea.COMMUNICATION
    )
    summary = models.TextField(_("summary"), blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True, verbose_name=_("tags"))

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("date"), FieldPanel("author"), FieldPanel("area"), FieldPanel("tags")], heading=_("About")
        ),
        FieldPanel("summary"),
        FieldPanel("hero_image"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("author"),
        index.FilterField("area"),
        index.FilterField("date"),
    ]
    parent_page_types = ["cms.ArticleIndexPage"]
    subpage_types = []
    og_type = "article"

    @property
    def index_url(self):
        """The article index's address: the parent's, without asking the database."""
        return self.url.rstrip("/").rsplit("/", 1)[0] + "/"

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")


class MaterialsIndexPage(SectionPage):
    """Posters, leaflets, infographics, videos and guidelines, filterable."""

    subpage_types = ["cms.MaterialPage"]
    per_page = 12

    class Meta:
        verbose_name = _("materials index")
        verbose_name_plural = _("materials indexes")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        materials = MaterialPage.objects.live().child_of(self).order_by("title").select_related("preview_image")
        chosen = chosen_filters(
            request,
            {
                "type": MaterialPage.Type,
                "audience": MaterialPage.Audience,
                "language": MaterialPage.Language,
                "area": ProgrammeArea,
            },
        )
        field_for = {"type": "material_type", "audience": "audience", "language": "language", "area": "area"}
        materials = materials.filter(**{field_for[name]: value for name, value in chosen.items()})
        context.update(filter_context(chosen))
        context["materials"] = page_number(request, Paginator(materials, self.per_page))
        context["types"] = MaterialPage.Type.choices
        context["audiences"] = MaterialPage.Audience.choices
        context["languages"] = MaterialPage.Language.choices
        context["areas"] = ProgrammeArea.choices
        return context


class MaterialPage(BasePage):
    class Type(models.TextChoices):
        POSTER = "poster", _("Poster")
        LEAFLET = "leaflet", _("Leaflet")
        INFOGRAPHIC = "infographic", _("Infographic")
        VIDEO = "video", _("Video")
        GUIDELINE = "guideline", _("Guideline")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Everyone")
        OFFICIALS = "officials", _("Officials and staff")
        YOUTH = "youth", _("Young people")
        FAMILIES = "families", _("Families")

    class Language(models.TextChoices):
        VIETNAMESE = "vi", _("Vietnamese")
        ENGLISH = "en", _("English")

    material_type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    area = models.PositiveSmallIntegerField(
        _("programme area"), choices=ProgrammeArea.choices, default=ProgrammeArea.COMMUNICATION
    )
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.VIETNAMESE)
    summary = models.TextField(_("summary"), blank=True)
    preview_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("preview image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("material_type"), FieldPanel("audience"), FieldPanel("area"), FieldPanel("language")],
            heading=_("About"),
        ),
        FieldPanel("summary"),
        FieldPanel("preview_image"),
        InlinePanel("files", label=_("Files"), min_num=1),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("material_type"),
        index.FilterField("area"),
    ]
    parent_page_types = ["cms.MaterialsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["files"] = self.files.select_related("document")
        return context


class MaterialFile(Orderable):
    """One downloadable file of a material, with how often it was downloaded."""

    page = ParentalKey(MaterialPage, verbose_name=_("page"), related_name="files", on_delete=models.CASCADE)
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name=_("document"), on_delete=models.CASCADE, related_name="+"
    )
    label = models.CharField(_("label"), max_length=255, blank=True)
    downloads = models.PositiveIntegerField(_("downloads"), default=0, editable=False)

    panels = [FieldPanel("document"), FieldPanel("label")]

    class Meta(Orderable.Meta):
        verbose_name = _("material file")
        verbose_name_plural = _("material files")

    def __str__(self):
        return self.label or self.document.title


class MaterialDownloadCount(models.Model):
    """How often a material's files were downloaded through the site in one calendar year.

    One row per material and year, incremented in the database (never read-modify-write), so the
    programme page can count downloads this year and since the plan began.
    """

    material = models.ForeignKey(
        MaterialPage, verbose_name=_("material"), on_delete=models.CASCADE, related_name="download_counts"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    downloads = models.PositiveIntegerField(_("downloads"), default=0)

    class Meta:
        verbose_name = _("material downloads in a year")
        verbose_name_plural = _("material downloads by year")
        constraints = [models.UniqueConstraint(fields=["material", "year"], name="cms_material_downloads_once_a_year")]

    def __str__(self):
        return f"{self.material_id} {self.year}: {self.downloads}"

    @classmethod
    def count_download(cls, material_id, year):
        """Add one download of `material_id` in `year`; two requests at once both count."""
        counter, _created = cls.objects.get_or_create(material_id=material_id, year=year)
        cls.objects.filter(pk=counter.pk).update(downloads=models.F("downloads") + 1)


class StandardPage(BasePage):
    """About, privacy notice, terms, accessibility statement."""

    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("body")]

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")


class HelpDirectoryPage(SectionPage):
    """Where to find help, filtered by type and ward."""

    max_count_per_parent = 1

    class Meta:
        verbose_name = _("help directory")
        verbose_name_plural = _("help directories")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Real numbers first (the national hotlines), then the local entries.
        providers = ServiceProvider.objects.select_related("ward").order_by("is_sample", "provider_type", "name")
        chosen = chosen_filters(request, {"type": ServiceProvider.Type})
        if "type" in chosen:
            providers = providers.filter(provider_type=chosen["type"])
        ward = request.GET.get("ward", "")
        wards = (
            ServiceProvider.objects.exclude(ward=None)
            .values_list("ward__code", "ward__name")
            .distinct()
            .order_by("ward__name")
        )
        if ward and ward in dict(wards):
            providers = providers.filter(ward__code=ward)
            chosen["ward"] = ward
        context.update(filter_context(chosen))
        context["providers"] = providers
        context["types"] = ServiceProvider.Type.choices
        context["wards"] = wards
        return context
