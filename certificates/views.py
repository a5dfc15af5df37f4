"""Thin views: a certificate's PDF for those allowed, the public verification pages, and the learner's
certificates on /my/."""

import io

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from allauth.core.internal.ratelimit import consume_or_429

from accounts.mfa import has_passed_second_factor
from accounts.scopes import in_scope
from certificates.models import Certificate, CertificateSettings
from certificates.services import grouped, normalise_code, read_pdf


def may_download(request, certificate):
    """The holder; whoever sees the holder's records (accounts.scopes), once past the second factor."""
    user = request.user
    if not user.is_authenticated:
        return False
    if certificate.user_id == user.pk:
        return True
    if not has_passed_second_factor(request):
        return False
    return in_scope(user, Certificate.objects.filter(pk=certificate.pk)).exists()


@never_cache
@require_GET
def certificate_pdf(request, serial_slug):
    if not request.user.is_authenticated:
        # Before any lookup, so the answer says nothing about whether the serial exists.
        return redirect_to_login(request.get_full_path())
    certificate = get_object_or_404(Certificate, serial_slug=serial_slug)
    if not may_download(request, certificate):
        raise Http404  # the same answer as for a serial that does not exist: nothing leaks
    if not certificate.pdf:
        return TemplateResponse(request, "certificates/preparing.html", {"certificate": certificate}, status=202)
    return FileResponse(
        io.BytesIO(read_pdf(certificate)),
        content_type="application/pdf",
        filename=certificate.download_filename,
        as_attachment=False,
    )


@never_cache
@require_GET
def certificate_status(request, serial_slug):
    """Whether the holder's certificate PDF is ready, as JSON, for the finish line's script.

    Only the holder asks it; to anyone else, signed in or not, the answer is the one for a serial
    that does not exist, so it says nothing about whose certificates there are.
    """
    certificate = (
        Certificate.objects.filter(serial_slug=serial_slug, user_id=request.user.pk).first()
        if request.user.is_authenticated
        else None
    )
    if certificate is None:
        return JsonResponse({"error": "not found"}, status=404)
    ready = bool(certificate.pdf) and certificate.state != "revoked"
    return JsonResponse(
        {
            "serial": certificate.serial,
            "state": certificate.state,
            "ready": ready,
            "url": certificate.get_absolute_url() if ready else None,
        }
    )


def rate_limited(request):
    """allauth's limiter (also for GET), with the project's own rate for verification."""
    return consume_or_429(
        request,
        app="certificates",
        action="verify",
        config={"verify": settings.CERTIFICATE_VERIFY_RATE_LIMIT},
        limit_get=True,
    )


@never_cache  # a revocation shows at once: never kept in the page cache
@require_GET
def verify_form(request):
    if "code" in request.GET:
        if limited := rate_limited(request):
            return limited
        code = normalise_code(request.GET["code"])
        if code is not None:
            return HttpResponseRedirect(reverse("verify_certificate", args=[code]))
        return TemplateResponse(
            request, "certificates/verify_form.html", {"not_found": True, "typed": request.GET["code"][:40]}, status=404
        )
    return TemplateResponse(request, "certificates/verify_form.html", {})


@never_cache
@require_GET
def verify_certificate(request, code):
    if limited := rate_limited(request):
        return limited
    normalised = normalise_code(code)
    certificate = (
        Certificate.objects.select_related("replaced_by").filter(code=normalised).first() if normalised else None
    )
    if certificate is None:
        return TemplateResponse(
            request, "certificates/verify_form.html", {"not_found": True, "typed": code[:40]}, status=404
        )
    if normalised != code:
        return HttpResponseRedirect(reverse("verify_certificate", args=[normalised]))
    return TemplateResponse(
        request,
        "certificates/verify_result.html",
        {
            "certificate": certificate,
            "code": grouped(certificate.code),
            "issuer": CertificateSettings.load().issuer_name,
        },
    )


def my_certificates(request):
    """The learner's certificates, a panel of /my/ (registered in wagtail_hooks for courses' dashboard)."""
    certificates = Certificate.objects.filter(user=request.user).order_by("-issued_on", "-number")
    return render_to_string(
        "certificates/includes/my_certificates.html", {"certificates": certificates}, request=request
    )
