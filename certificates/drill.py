"""The certificates' part of the restore drill (ops.backup runs it; ops may not import this app)."""

from certificates.models import Certificate
from ops.backup import MISSING, Check, stored_sha256


def certificate_pdfs_verify():
    """Each current certificate with a PDF: the stored file's SHA-256 equals the one recorded when
    it was rendered, the value /verify/ shows, so the restored certificate verifies as before."""
    certificates = Certificate.objects.current().exclude(pdf="").only("serial", "pdf", "pdf_sha256").order_by("pk")
    for certificate in certificates.iterator(chunk_size=500):
        found = stored_sha256(certificate.pdf.storage, certificate.pdf.name) or MISSING
        yield Check("certificate", certificate.serial, certificate.pdf_sha256, found)
