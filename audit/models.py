from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportLog(models.Model):
    """Every export of learners' records: who, when, which report, with which filters, how many rows."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("exported by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("exported at"), auto_now_add=True)
    report = models.CharField(_("report"), max_length=100)
    export_format = models.CharField(_("format"), max_length=10)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True, help_text=_("Empty until finished."))

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("export log")
        ordering = ["-created_at"]

    def __str__(self):
        # When, as the exports write a moment (cms.dates.export_date, a floor above): ISO 8601 on the
        # site's clock with its offset, "2026-03-05T14:30:00+07:00".
        when = timezone.localtime(self.created_at).isoformat(timespec="seconds") if self.created_at else ""
        return f"{self.report} ({self.export_format}) – {self.user} – {when}"
