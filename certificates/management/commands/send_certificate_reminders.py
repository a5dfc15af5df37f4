from django.core.management.base import BaseCommand

from certificates import services


class Command(BaseCommand):
    help = "E-mail holders 30 and 7 days before their certificate expires. Run daily; nothing is sent twice."

    def handle(self, *args, **options):
        sent = services.send_expiry_reminders()
        self.stdout.write(f"Reminders sent: {sent}.")
