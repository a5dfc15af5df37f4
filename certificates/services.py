"""Issuing, re-issuing and revoking certificates, their PDFs and reminders: the rules in one place.

Exactly once is the database's job: a certificate is unique per completion unless replaced, and
serial numbers come from a counter row per year locked inside the issuing transaction, so they are
unique and gap-free even with several app servers issuing at once.
"""

import datetime
import hashlib
import logging
import re
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from accounts.emails import send_user_email
from certificates.models import Certificate, CertificateSettings, ExpiryReminder, SerialCounter
from cms.links import absolute_url
from courses.models import Completion
from ops.metrics import CERTIFICATE_RENDER_SECONDS
from ops.queue import pending_args
from ops.storage import storage_unavailable

# Crockford's base32: no I, L, O or U, so a code read aloud or typed from paper is not misread.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 80 bits
REMINDER_DAYS = (30, 7)

logger = logging.getLogger("certificates")


class CertificateRuleError(Exception):
    """What was asked is not allowed; the message says why, in the user's language."""


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text):
    """The code as stored, from what someone typed (any case, dashes, spaces, O for 0); None if malformed."""
    code = re.sub(r"[\s-]", "", str(text)).upper().translate(str.maketrans("OIL", "011"))
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        return None
    return code


def grouped(code):
    """ABCD-EFGH-JKMN-PQRS: easier to read and type."""
    return "-".join(code[index : index + 4] for index in range(0, len(code), 4))


def issue_on_completion(sender, completion, **kwargs):
    """course_completed receiver, run after the learner's submission has committed.

    A failure here (the database dropped a moment after the commit) is logged, never raised: the
    completion is recorded and the learner must not see a 500 for it; issue_missing issues it.
    """
    if completion.course.issues_certificate:
        try:
            issue(completion)
        except Exception:
            logger.exception(
                "Completion %s: the certificate could not be issued; issue_missing_certificates will.", completion.pk
            )


@transaction.atomic
def issue(completion, holder_name=None, *, replacing=None):
    """The completion's current certificate, issued now if it has none (safe to call twice)."""
    completion = Completion.objects.select_for_update().select_related("course").get(pk=completion.pk)
    current = Certificate.objects.current().filter(completion=completion).first()
    if current is not None and current != replacing:
        return current
    today = timezone.localdate()
    certificate_settings = CertificateSettings.load()
    SerialCounter.objects.get_or_create(year=today.year)
    counter = SerialCounter.objects.select_for_update().get(year=today.year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    serial = certificate_settings.serial_format.format(number=counter.last_number, year=today.year)
    if replacing is not None:
        Certificate.objects.filter(pk=replacing.pk).update(status=Certificate.Status.REPLACED)
    certificate = Certificate.objects.create(
        completion=completion,
        user_id=completion.user_id,
        course_id=completion.course_id,
        year=today.year,
        number=counter.last_number,
        serial=serial,
        serial_slug=slugify(serial.replace("/", "-")),
        code=new_code(),
        holder_name=holder_name or (replacing.holder_name if replacing else completion.full_name),
        unit_name=completion.unit_name,
        course_title=completion.course_title,
        area=completion.area,
        hours=completion.hours,
        completed_on=completion.completed_on,
        issued_on=today,
        # Valid for the course's validity after completion: a re-issue does not extend it. Valid
        # through the day it expires; the course may be taken again from the next (Completion.lapses_on).
        expires_on=completion.lapses_on,
    )
    if replacing is not None:
        Certificate.objects.filter(pk=replacing.pk).update(replaced_by=certificate)
    transaction.on_commit(lambda: queue_render(certificate.pk))
    return certificate


def queue_render(certificate_id):
    """Queue the PDF and the holder's e-mail. A failure to queue (the database dropped just after
    the issuing commit) is logged, never raised: the issuing is committed, the caller (a learner's
    quiz submission) must not answer 500 for it, and issue_missing queues the certificate later."""
    try:
        render_certificate.enqueue(certificate_id)
    except Exception:
        logger.exception(
            "Certificate %s: its PDF could not be queued; issue_missing_certificates will queue it.", certificate_id
        )


@task(backend="background")
def render_certificate(certificate_id):
    """Store the PDF once, then tell the holder at least once (a background task in production).

    Safe to run twice, even at the same time (a slow original and its retry after
    requeue_stuck_tasks): one PDF is kept, and a run that finds the holder told sends nothing.
    The object storage down, it tries again later (retry_render); nobody is told before the PDF
    is stored.
    """
    certificate = Certificate.objects.select_related("user").get(pk=certificate_id)
    try:
        if not certificate.pdf and not store_pdf(certificate):
            return  # another run stored its PDF first, and tells the holder
    except Exception as error:
        if not storage_unavailable(error):
            raise
        retry_render(certificate_id, error)
        return
    notify_holder(certificate)


def retry_render(certificate_id, error):
    """A new run of render_certificate after settings.CERTIFICATE_RENDER_RETRY_SECONDS, on a queue
    that can wait (the database queue); on one that cannot (the immediate backend of development)
    the safety net, issue_missing, renders it on its next run. Returns the time of the new run or None."""
    delay = settings.CERTIFICATE_RENDER_RETRY_SECONDS
    if not render_certificate.get_backend().supports_defer:
        logger.warning(
            "Certificate %s: the storage failed (%s); issue_missing_certificates will render it.", certificate_id, error
        )
        return None
    run_after = timezone.now() + datetime.timedelta(seconds=delay)
    render_certificate.using(run_after=run_after).enqueue(certificate_id)
    logger.warning("Certificate %s: the storage failed (%s); rendering again in %s s.", certificate_id, error, delay)
    return run_after


def store_pdf(certificate):
    """Render the PDF and keep it unless another run kept one first; True if this run's is kept.

    The file goes under a name of its own (pdf_path), then a conditional update makes it the
    certificate's PDF only if it still has none; the run that loses deletes its own file.
    """
    from certificates.pdf import render_pdf

    with CERTIFICATE_RENDER_SECONDS.time():
        content = render_pdf(certificate)
    field = certificate.pdf
    name = field.storage.save(
        field.field.generate_filename(certificate, certificate.download_filename), ContentFile(content)
    )
    sha256 = hashlib.sha256(content).hexdigest()
    if not Certificate.objects.filter(pk=certificate.pk, pdf="").update(pdf=name, pdf_sha256=sha256):
        field.storage.delete(name)
        logger.info("Certificate %s: another run stored its PDF first; this run's copy is deleted.", certificate.pk)
        return False
    certificate.pdf, certificate.pdf_sha256 = name, sha256
    return True


def read_pdf(certificate):
    """The stored PDF's bytes, read whole before any is sent: the storage failing midway is then
    a clear 503 (ops.storage.StorageUnavailable), not a cut download. A certificate is ~100 KB."""
    with certificate.pdf.open("rb") as file:
        return file.read()


def notify_holder(certificate):
    """The "your certificate is ready" e-mail, at least once: sent after the PDF is stored, marked
    sent afterwards, so a run killed in between sends it again (a duplicate is better than none)."""
    if certificate.holder_notified_at is not None or certificate.status != Certificate.Status.ISSUED:
        return  # told already, or revoked or replaced before it could be
    send_to_holder(certificate, "issued")
    Certificate.objects.filter(pk=certificate.pk, holder_notified_at__isnull=True).update(
        holder_notified_at=timezone.now()
    )


def send_to_holder(certificate, message, **context):
    """A Vietnamese e-mail with links, never the PDF; subjects say nothing of the topic."""
    context = {
        "certificate": certificate,
        "download_url": absolute_url(certificate.get_absolute_url()),
        "verify_url": absolute_url(certificate.get_verification_path()),
        "dashboard_url": absolute_url(reverse("dashboard")),
        **context,
    }
    send_user_email(certificate.user, f"certificates/emails/{message}", context)


def revoke(certificate, reason, user):
    reason = (reason or "").strip()
    if not reason:
        raise CertificateRuleError(_("Give the reason for revoking the certificate."))
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.status != Certificate.Status.ISSUED:
            raise CertificateRuleError(_("Only a valid or expired certificate can be revoked."))
        locked.status, locked.revoked_reason = Certificate.Status.REVOKED, reason
        locked.revoked_at, locked.revoked_by = timezone.now(), user
        locked.save(update_fields=["status", "revoked_reason", "revoked_at", "revoked_by"])
        log(locked, "certificates.revoke", user=user, data={"reason": reason})
    return locked


def reissue(certificate, user, holder_name=None):
    """A new serial, code and PDF (after a name correction, say); the old one points to it."""
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.status != Certificate.Status.ISSUED:
            raise CertificateRuleError(_("Only a valid or expired certificate can be re-issued."))
        new = issue(locked.completion, (holder_name or "").strip() or None, replacing=locked)
        log(locked, "certificates.reissue", user=user, data={"replaced_by": new.serial})
    return new


def issue_missing():
    """The safety net, run every few minutes: whatever a failure left undone is done again.

    Issues certificates for completions of certificate courses that have none (certificates
    turned on later, or issuing failed after the learner's submission), and queues the PDF and
    e-mail of certificates that have no PDF or whose holder was never told (a render or an e-mail
    that failed, a queueing lost in an outage), unless a run is already waiting or running for
    it. Returns (certificates issued, ids of certificates queued again).
    """
    missing = Completion.objects.filter(course__issues_certificate=True).exclude(certificates__isnull=False)
    issued = [issue(completion) for completion in missing.order_by("completed_on", "pk").iterator()]
    unfinished = Certificate.objects.current().filter(
        Q(pdf="") | Q(status=Certificate.Status.ISSUED, holder_notified_at__isnull=True)
    )
    on_its_way = pending_args(render_certificate)
    queued = []
    for certificate_id in unfinished.order_by("pk").values_list("pk", flat=True):
        if (certificate_id,) in on_its_way:
            continue
        logger.warning("Certificate %s has no PDF or its holder was not told: queued again.", certificate_id)
        render_certificate.enqueue(certificate_id)
        queued.append(certificate_id)
    return issued, queued


def send_expiry_reminders(today=None):
    """30 and 7 days before expiry, one e-mail each; running it again sends nothing twice."""
    today = today or timezone.localdate()
    sent = 0
    # The nearest notice first: a certificate found 5 days before expiry gets the 7-day one only.
    for days in sorted(REMINDER_DAYS):
        due = (
            Certificate.objects.filter(
                status=Certificate.Status.ISSUED,
                expires_on__gt=today,
                expires_on__lte=today + datetime.timedelta(days=days),
            )
            .exclude(reminders__days_before__lte=days)
            .select_related("user", "course")
        )
        for certificate in due.iterator():
            with transaction.atomic():
                _reminder, created = ExpiryReminder.objects.get_or_create(certificate=certificate, days_before=days)
                if created:
                    send_to_holder(
                        certificate,
                        "expiry",
                        days=(certificate.expires_on - today).days,
                        course_url=absolute_url(certificate.course.url),
                    )
                    sent += 1
    return sent
