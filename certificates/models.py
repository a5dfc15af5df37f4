"""Certificates: one per completion of a course that issues them, with a serial, a verification code
and the PDF as issued. Renewal and re-issue add certificates; none is ever edited or deleted."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from cms.models import ProgrammeArea
from courses.models import Completion, CoursePage
from ops.storage import StorageAlias

DEFAULT_SERIAL_FORMAT = "{number:06d}/{year}/GCN"


def validate_serial_format(value):
    try:
        first, second = value.format(number=1, year=2026), value.format(number=2, year=2026)
    except (KeyError, IndexError, ValueError) as error:
        raise ValidationError(
            _("Use only {number} and {year}, as in %(example)s.") % {"example": DEFAULT_SERIAL_FORMAT}
        ) from error
    if "{number" not in value or "{year" not in value or first == second:
        raise ValidationError(_("The format must contain both {number} and {year}."))


@register_setting(icon="doc-full")
class CertificateSettings(BaseGenericSetting):
    """Who issues certificates and how they read; editing these changes certificates issued later."""

    serial_format = models.CharField(
        _("serial number format"),
        max_length=50,
        default=DEFAULT_SERIAL_FORMAT,
        validators=[validate_serial_format],
        help_text=_("{number} counts from 1 each calendar year; {number:06d} pads it to six digits."),
    )
    issuer_superior = models.CharField(_("superior body"), max_length=255, blank=True, default="UBND THÀNH PHỐ HÀ NỘI")
    issuer_name = models.CharField(
        _("issuing organisation"), max_length=255, default="BAN CHỈ ĐẠO KẾ HOẠCH 106/KH-UBND"
    )
    place = models.CharField(_("place of issue"), max_length=100, default="Hà Nội")
    signatory_title = models.TextField(_("signatory's title"), default="TRƯỞNG BAN")
    signatory_name = models.CharField(_("signatory's name"), max_length=150, blank=True)
    signature = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("signature image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    seal = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("seal image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [
        FieldPanel("serial_format"),
        MultiFieldPanel(
            [FieldPanel("issuer_superior"), FieldPanel("issuer_name"), FieldPanel("place")], heading=_("Issuer")
        ),
        MultiFieldPanel(
            [FieldPanel("signatory_title"), FieldPanel("signatory_name"), FieldPanel("signature"), FieldPanel("seal")],
            heading=_("Signature"),
        ),
    ]

    class Meta:
        verbose_name = _("certificate settings")
        verbose_name_plural = _("certificate settings")


class SerialCounter(models.Model):
    """The last serial number used in a year; locked while a certificate is issued, so gap-free."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("serial counter")
        verbose_name_plural = _("serial counters")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


def certificate_storage():
    # STORAGES["certificates"] looked up on each use, not once when the model class is built.
    return StorageAlias("certificates")


def pdf_path(certificate, filename):
    # Unguessable, and names nothing: the storage is private, but a path can still leak. A fresh
    # suffix per render: two renders of one certificate (a slow original and its retry) never write
    # the same file, even on a storage that overwrites, and the one not kept deletes only its own.
    return f"{certificate.year}/{certificate.code}-{secrets.token_hex(4)}.pdf"


STATE_LABELS = {
    "valid": _("Valid"),
    "expired": _("Expired"),
    "revoked": _("Revoked"),
    "replaced": _("Replaced"),
}


class CertificateQuerySet(models.QuerySet):
    def current(self):
        """Certificates not replaced by a re-issue."""
        return self.exclude(status=Certificate.Status.REPLACED)


class Certificate(models.Model):
    class Status(models.TextChoices):
        ISSUED = "issued", _("Valid")
        REVOKED = "revoked", _("Revoked")
        REPLACED = "replaced", _("Replaced")

    completion = models.ForeignKey(
        Completion, verbose_name=_("completion"), on_delete=models.PROTECT, related_name="certificates"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("learner"), on_delete=models.PROTECT, related_name="certificates"
    )
    course = models.ForeignKey(
        CoursePage, verbose_name=_("course page"), on_delete=models.PROTECT, related_name="certificates"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    serial = models.CharField(_("serial number"), max_length=60, unique=True)
    serial_slug = models.SlugField(_("serial number in addresses"), max_length=60, unique=True)
    code = models.CharField(_("verification code"), max_length=20, unique=True)
    # As printed: copied from the completion, the name possibly corrected at a re-issue.
    holder_name = models.CharField(_("holder"), max_length=150)
    unit_name = models.CharField(_("unit"), max_length=255, blank=True)
    course_title = models.CharField(_("course"), max_length=255)
    area = models.PositiveSmallIntegerField(_("programme area"), choices=ProgrammeArea.choices)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    completed_on = models.DateField(_("completed on"))
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ISSUED)
    revoked_reason = models.TextField(_("reason for revocation"), blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    replaced_by = models.OneToOneField(
        "self", verbose_name=_("replaced by"), null=True, blank=True, on_delete=models.PROTECT, related_name="replaces"
    )
    pdf = models.FileField(_("PDF"), storage=certificate_storage, upload_to=pdf_path, blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    # Set after the "your certificate is ready" e-mail went out (at least once: see render_certificate).
    holder_notified_at = models.DateTimeField(_("holder notified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="certificates_serial_number_unique"),
            models.UniqueConstraint(
                fields=["completion"], condition=~Q(status="replaced"), name="certificates_one_current_per_completion"
            ),
        ]
        indexes = [models.Index(fields=["course", "issued_on"]), models.Index(fields=["expires_on", "status"])]

    def __str__(self):
        return self.serial

    def get_absolute_url(self):
        return reverse("certificate_pdf", args=[self.serial_slug])

    @property
    def state(self):
        """What the verification page says: valid, expired, revoked or replaced."""
        return self.state_of(self.status, self.expires_on)

    @classmethod
    def state_of(cls, status, expires_on, today=None):
        """The state from a status and an expiry date: the reports read them without an instance."""
        if status != cls.Status.ISSUED:
            return status
        expired = expires_on is not None and expires_on < (today or timezone.localdate())
        return "expired" if expired else "valid"

    def get_state_display(self):
        return STATE_LABELS[self.state]

    @property
    def download_filename(self):
        """Neutral: says it is a certificate and which, nothing about the topic."""
        return f"giay-chung-nhan-{self.serial_slug}.pdf"

    def get_verification_path(self):
        return reverse("verify_certificate", args=[self.code])


class ExpiryReminder(models.Model):
    """A reminder sent before a certificate expires: one row per certificate and notice, never two."""

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("certificate"), on_delete=models.CASCADE, related_name="reminders"
    )
    days_before = models.PositiveSmallIntegerField(_("days before expiry"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        constraints = [
            models.UniqueConstraint(fields=["certificate", "days_before"], name="certificates_reminder_once")
        ]

    def __str__(self):
        return f"{self.certificate} – {self.days_before}"
