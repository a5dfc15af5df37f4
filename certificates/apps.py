from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self):
        from certificates import drill, services
        from courses.signals import course_completed
        from ops.backup import register_drill_check

        course_completed.connect(services.issue_on_completion, dispatch_uid="certificates.issue_on_completion")
        register_drill_check("certificate", drill.certificate_pdfs_verify)
