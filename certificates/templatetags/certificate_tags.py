"""Certificate data for the pages of lower apps: courses' finish line names the tag, never the model."""

from django import template

from certificates.models import Certificate

register = template.Library()


@register.inclusion_tag("certificates/includes/course_certificate.html")
def course_certificate(enrolment):
    """The certificate of a completed enrolment: its link once the PDF is ready, else a note that it
    is being prepared (refreshed by certificate-status.js, and a link that works without it)."""
    certificate = None
    if enrolment is not None and enrolment.completed_at is not None:
        certificate = Certificate.objects.current().filter(completion__enrolment=enrolment).first()
    return {"certificate": certificate, "course": enrolment.course if enrolment is not None else None}
