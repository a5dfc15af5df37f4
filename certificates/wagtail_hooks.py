from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks

from accounts.admin_access import ManagersMenuItem
from certificates.admin_views import CertificateViewSet
from certificates.models import Certificate


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    return CertificateViewSet("certificates")


@hooks.register("register_admin_menu_item")
def register_zip_menu_item():
    return ManagersMenuItem(_("Certificates as ZIP"), reverse("certificates:zip"), icon_name="download", order=311)


@hooks.register("register_log_actions")
def register_certificate_actions(actions):
    actions.register_action("certificates.revoke", _("Revoke certificate"), _("Certificate revoked"))
    actions.register_action("certificates.reissue", _("Re-issue certificate"), _("Certificate re-issued"))


@hooks.register("learner_dashboard_panels")
def my_certificates(request):
    certificates = Certificate.objects.filter(user=request.user).order_by("-issued_on", "-number")
    return render_to_string(
        "certificates/includes/my_certificates.html", {"certificates": certificates}, request=request
    )
