from django.core.management.base import BaseCommand

from certificates import services


class Command(BaseCommand):
    help = (
        "Issue certificates for completions made before their course issued certificates, and render "
        "PDFs that are missing. Safe to run again."
    )

    def handle(self, *args, **options):
        issued = services.issue_missing()
        self.stdout.write(f"Certificates issued: {len(issued)}.")
