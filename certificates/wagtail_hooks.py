from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks

from accounts.viewsets import ManagersMenuItem
from certificates.views import my_certificates
from certificates.viewsets import CertificateViewSet


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


# The learner's certificates on /my/ (courses.views.dashboard renders these panels).
hooks.register("learner_dashboard_panels", my_certificates)
