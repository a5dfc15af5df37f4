import datetime

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.models import RevisionMixin
from wagtail.search import index


class ServiceProvider(RevisionMixin, index.Indexed, models.Model):
    """A place to find help: one-stop centre, shelter, hotline and so on (a snippet)."""

    class Type(models.TextChoices):
        ONE_STOP = "one_stop", _("One-stop centre")
        SHELTER = "shelter", _("Shelter")
        SOCIAL_WORK = "social_work", _("Social work centre")
        HEALTH = "health", _("Health facility")
        POLICE = "police", _("Police")
        LEGAL_AID = "legal_aid", _("Legal aid")
        WOMENS_UNION = "womens_union", _("Women's union")
        HOTLINE = "hotline", _("Hotline")

    name = models.CharField(_("name"), max_length=255)
    provider_type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    address = models.CharField(_("address"), max_length=255, blank=True)
    ward = models.ForeignKey(
        "accounts.OrganisationUnit",
        verbose_name=_("ward or commune"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"type__in": ["ward", "commune"]},
    )
    phone = models.CharField(_("phone"), max_length=30)
    opening_hours = models.CharField(_("opening hours"), max_length=255, blank=True)
    services = models.TextField(_("services"), blank=True)
    free_of_charge = models.BooleanField(_("free of charge"), default=True)
    last_verified = models.DateField(_("last verified"), default=datetime.date.today)
    is_sample = models.BooleanField(
        _("sample data"), default=False, help_text=_("Shown as sample data: not a real service to call.")
    )
    revisions = GenericRelation(
        "wagtailcore.Revision",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="service_provider",
    )

    search_fields = [
        index.SearchField("name"),
        index.SearchField("services"),
        index.SearchField("address"),
        index.AutocompleteField("name"),
        # The admin's listing searches, then filters and sorts by these (a search that sorts by
        # a field not listed here is a 500).
        index.FilterField("provider_type"),
        index.FilterField("ward"),
        index.FilterField("is_sample"),
        index.FilterField("last_verified"),
        index.FilterField("name"),
        index.FilterField("phone"),
    ]
    panels = [
        FieldPanel("name"),
        FieldPanel("provider_type"),
        FieldPanel("phone"),
        FieldPanel("address"),
        FieldPanel("ward"),
        FieldPanel("opening_hours"),
        FieldPanel("services"),
        FieldPanel("free_of_charge"),
        FieldPanel("last_verified"),
        FieldPanel("is_sample"),
    ]

    class Meta:
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def needs_verification(self):
        """Not checked for 12 months: editors see it flagged in the admin."""
        return self.last_verified < timezone.localdate() - datetime.timedelta(days=365)

    @property
    def phone_uri(self):
        return "tel:" + "".join(character for character in self.phone if character.isdigit() or character == "+")
