"""The certificates in the Wagtail admin: a list and a record for managers (within their scope),
revoke and re-issue for administrators, and a ZIP of the PDFs of a filtered set."""

from django import forms
from django.contrib import messages
from django.db import models
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.models import IndexView, InspectView
from wagtail.admin.widgets.button import Button

from accounts.models import OrganisationUnit
from accounts.roles import is_administrator
from accounts.scopes import in_scope, visible_units
from accounts.viewsets import AdministratorsOnlyMixin, ManagersOnlyMixin, ScopedModelViewSet
from accounts.widgets import UnitTreeSelect
from audit.services import log_export
from certificates import services
from certificates.archive import zip_stream
from certificates.models import Certificate
from cms.dates import table_date
from cms.viewsets import TableDateColumn
from courses.models import CoursePage
from ops.storage import RETRY_AFTER_SECONDS, storage_status

STORAGE_DOWN_MESSAGE = gettext_lazy(
    "The certificates' files cannot be reached right now. Nothing is lost: please try again in a few minutes."
)


class CertificateIndexView(IndexView):
    def get_base_queryset(self):
        return Certificate.objects.select_related("user", "course")


class CertificateInspectView(InspectView):
    @cached_property
    def header_more_buttons(self):
        buttons = []
        if self.object.pdf:
            buttons.append(Button(_("Download PDF"), url=self.object.get_absolute_url(), icon_name="download"))
        if is_administrator(self.request.user) and self.object.status == Certificate.Status.ISSUED:
            buttons.append(
                Button(_("Revoke"), url=reverse("certificates:revoke", args=[self.object.pk]), icon_name="cross")
            )
            buttons.append(
                Button(_("Re-issue"), url=reverse("certificates:reissue", args=[self.object.pk]), icon_name="repeat")
            )
        return buttons

    def get_field_display_value(self, field_name, field):
        if isinstance(field, models.DateField):  # and DateTimeField: a table's dates, not "2 days ago"
            return table_date(getattr(self.object, field_name)) or "-"
        return super().get_field_display_value(field_name, field)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class ReissueForm(forms.Form):
    holder_name = forms.CharField(
        label=gettext_lazy("Holder's name as it should be printed"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("Leave empty to keep the name as printed on the certificate being replaced."),
    )


class CertificateActionView(AdministratorsOnlyMixin, WagtailAdminTemplateMixin, FormView):
    """Revoke or re-issue: administrators only; the service writes the audit log."""

    template_name = "certificates/admin/action.html"
    header_icon = "doc-full"

    @cached_property
    def certificate(self):
        return get_object_or_404(in_scope(self.request.user, Certificate.objects.all()), pk=self.kwargs["pk"])

    def get_page_subtitle(self):
        return f"{self.certificate.serial} – {self.certificate.holder_name}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(certificate=self.certificate, **kwargs)

    def form_valid(self, form):
        try:
            message = self.act(form.cleaned_data)
        except services.CertificateRuleError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect("certificates:inspect", self.certificate.pk)


class RevokeView(CertificateActionView):
    form_class = RevokeForm
    page_title = gettext_lazy("Revoke certificate")
    submit_label = gettext_lazy("Revoke")

    def act(self, data):
        services.revoke(self.certificate, data["reason"], self.request.user)
        return _("Certificate %(serial)s revoked.") % {"serial": self.certificate.serial}


class ReissueView(CertificateActionView):
    form_class = ReissueForm
    page_title = gettext_lazy("Re-issue certificate")
    submit_label = gettext_lazy("Re-issue")

    def act(self, data):
        new = services.reissue(self.certificate, self.request.user, data["holder_name"])
        self.certificate = new  # the success redirect opens the new certificate
        return _("Certificate %(serial)s issued to replace the old one.") % {"serial": new.serial}


class ZipForm(forms.Form):
    course = forms.ModelChoiceField(
        label=gettext_lazy("Course"), queryset=CoursePage.objects.filter(issues_certificate=True), required=False
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit (with the units below it)"),
        queryset=None,
        required=False,
        blank=True,
        empty_label=gettext_lazy("All units"),
        widget=UnitTreeSelect,
    )
    issued_from = forms.DateField(
        label=gettext_lazy("Issued from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    issued_to = forms.DateField(
        label=gettext_lazy("Issued until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = visible_units(user).order_by("path")

    def clean(self):
        data = super().clean()
        if data.get("issued_from") and data.get("issued_to") and data["issued_from"] > data["issued_to"]:
            raise forms.ValidationError(_("The end date is before the start date."))
        return data

    def certificates(self):
        data = self.cleaned_data
        chosen = in_scope(self.user, Certificate.objects.current()).exclude(pdf="").order_by("year", "number")
        if data["course"]:
            chosen = chosen.filter(course=data["course"])
        if data["unit"]:
            chosen = chosen.filter(OrganisationUnit.subtree_q([data["unit"]], field="user__unit"))
        if data["issued_from"]:
            chosen = chosen.filter(issued_on__gte=data["issued_from"])
        if data["issued_to"]:
            chosen = chosen.filter(issued_on__lte=data["issued_to"])
        return chosen


class ZipView(ManagersOnlyMixin, WagtailAdminTemplateMixin, FormView):
    """The PDFs of a filtered set as one ZIP, streamed from storage as it is built; like every
    export of learners' records, it goes into the export log."""

    template_name = "certificates/admin/zip.html"
    page_title = gettext_lazy("Download certificates as ZIP")
    header_icon = "download"

    def get(self, request, *args, **kwargs):
        if "download" not in request.GET:
            return self.render_to_response(self.get_context_data(form=ZipForm(user=request.user)))
        form = ZipForm(request.GET, user=request.user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        certificates = form.certificates()
        if not certificates.exists():
            messages.warning(request, _("No certificate matches these filters: there is nothing to download."))
            return self.render_to_response(self.get_context_data(form=form))
        if storage_status(["certificates"]) == "down":
            # Checked before the first byte: a ZIP cut midway would be a broken file, not a message.
            messages.error(request, STORAGE_DOWN_MESSAGE)
            response = self.render_to_response(self.get_context_data(form=form), status=503)
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        finished = log_export(
            request.user,
            "certificates_zip",
            "zip",
            {key: value for key, value in request.GET.items() if key != "download"},
        )
        response = StreamingHttpResponse(zip_stream(certificates, finished), content_type="application/zip")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="giay-chung-nhan-{stamp}.zip"'
        response["Cache-Control"] = "private, no-store"
        return response


class StateColumn(Column):
    def get_value(self, instance):
        return instance.get_state_display()


class CertificateViewSet(ScopedModelViewSet):
    model = Certificate
    icon = "doc-full"
    menu_label = gettext_lazy("Certificates")
    menu_order = 310
    add_to_admin_menu = True
    index_view_class = CertificateIndexView
    inspect_view_class = CertificateInspectView
    inspect_view_enabled = True
    list_display = [
        "serial",
        "holder_name",
        "course_title",
        TableDateColumn("issued_on", label=gettext_lazy("Issued on")),
        TableDateColumn("expires_on", label=gettext_lazy("Expires on")),
        StateColumn("state", label=gettext_lazy("Status")),
    ]
    list_filter = ["status", "course", "year"]
    search_fields = ["serial", "holder_name", "code"]
    search_backend_name = None
    inspect_view_fields = [
        "serial",
        "holder_name",
        "unit_name",
        "course_title",
        "area",
        "hours",
        "completed_on",
        "issued_on",
        "expires_on",
        "status",
        "revoked_reason",
        "revoked_at",
        "revoked_by",
        "replaced_by",
        "pdf_sha256",
    ]
    form_fields = []  # nobody edits a certificate: revoke or re-issue it
    copy_view_enabled = False

    def scope(self, user, queryset):
        return in_scope(user, queryset, learner="user")

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/revoke/", RevokeView.as_view(), name="revoke"),
            path("<int:pk>/reissue/", ReissueView.as_view(), name="reissue"),
            path("zip/", ZipView.as_view(), name="zip"),
        ]
