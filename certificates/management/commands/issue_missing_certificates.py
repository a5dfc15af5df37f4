from django.core.management.base import BaseCommand

from certificates import services


class Command(BaseCommand):
    help = (
        "The certificates' safety net, run every few minutes: issue certificates for completions that have "
        "none, and queue the PDF and e-mail of certificates without a PDF or whose holder was never told "
        "(unless already queued). Safe to run again."
    )

    def handle(self, *args, **options):
        issued, queued = services.issue_missing()
        self.stdout.write(f"Certificates issued: {len(issued)}. PDFs or e-mails queued again: {len(queued)}.")
