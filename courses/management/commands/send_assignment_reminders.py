from django.core.management.base import BaseCommand

from courses import assignments


class Command(BaseCommand):
    help = "E-mail learners 7 days before an assigned course is due and once it is overdue. Run daily; nothing is sent twice."

    def handle(self, *args, **options):
        sent = assignments.send_reminders()
        self.stdout.write(f"Reminders sent: {sent}.")
