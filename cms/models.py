from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The campaign's home page (issue 3 gives it its bands and blocks)."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")


class StandardPage(Page):
    """About, privacy notice, terms, accessibility statement."""

    body = RichTextField(_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("body")]

    class Meta:
        verbose_name = _("standard page")


@register_setting(icon="cog")
class SiteSettings(BaseSiteSetting):
    organisation_name = models.CharField(_("organisation name"), max_length=255, default="GBV Learn")
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
    contact_email = models.EmailField(_("contact e-mail"), blank=True)

    panels = [
        FieldPanel("organisation_name"),
        FieldPanel("quick_exit_url"),
        FieldPanel("privacy_page"),
        FieldPanel("contact_email"),
    ]

    class Meta:
        verbose_name = _("site settings")
