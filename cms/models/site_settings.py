from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Orderable, Site


@register_setting(icon="cog")
class SiteSettings(ClusterableModel, BaseSiteSetting):
    organisation_name = models.CharField(_("organisation name"), max_length=255, default="GBV Learn")
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    quick_exit_url = models.URLField(
        _("quick-exit target"),
        default="https://www.google.com/search?q=th%E1%BB%9Di+ti%E1%BA%BFt",
        help_text=_("A neutral site the quick-exit control leaves for, such as a weather or news page."),
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("privacy notice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    footer_text = models.TextField(_("footer text"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    # Targets for the calendar year under way, shown with the progress towards them on the
    # programme page; set again each year.
    officials_to_train_this_year = models.PositiveIntegerField(
        _("officials to train this year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0, _("A target cannot be a negative number."))],
        help_text=_("Officials to complete a training course (programme area 3) this year. Leave empty for no target."),
    )
    units_to_train_this_year = models.PositiveIntegerField(
        _("units to train fully this year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0, _("A target cannot be a negative number."))],
        help_text=_("Units in which every assigned official is to be trained this year. Leave empty for no target."),
    )

    panels = [
        FieldPanel("organisation_name"),
        FieldPanel("logo"),
        FieldPanel("quick_exit_url"),
        FieldPanel("privacy_page"),
        InlinePanel("footer_hotlines", label=_("Hotlines in every footer")),
        FieldPanel("footer_text"),
        FieldPanel("contact_email"),
        MultiFieldPanel(
            [FieldPanel("officials_to_train_this_year"), FieldPanel("units_to_train_this_year")],
            heading=_("Training targets"),
        ),
    ]

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    @classmethod
    def base_queryset(cls):
        return super().base_queryset().select_related("privacy_page", "logo")

    @classmethod
    def for_request(cls, request):
        """Every public render reads these: remembered until any content or setting changes."""
        from cms.page_cache import remember

        attr_name = cls.get_cache_attr_name()
        if not hasattr(request, attr_name):
            site = Site.find_for_request(request)
            site_settings = (
                remember(request, f"site-settings:{site.pk}", lambda: cls.for_site(site))
                if site
                else cls.for_site(site)
            )
            site_settings._request = request
            setattr(request, attr_name, site_settings)
        return getattr(request, attr_name)


class FooterHotline(Orderable):
    """A number shown in every page's footer, such as 111 for child protection."""

    settings = ParentalKey(
        SiteSettings, verbose_name=_("site settings"), related_name="footer_hotlines", on_delete=models.CASCADE
    )
    name = models.CharField(_("name"), max_length=120)
    number = models.CharField(_("number"), max_length=30)

    panels = [FieldPanel("name"), FieldPanel("number")]

    class Meta(Orderable.Meta):
        verbose_name = _("footer hotline")
        verbose_name_plural = _("footer hotlines")

    def __str__(self):
        return f"{self.name}: {self.number}"
