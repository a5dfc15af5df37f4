from django.core.management.base import BaseCommand

from reports import unit_figures
from reports.models import UnitFiguresRefresh


class Command(BaseCommand):
    help = (
        "The unit summary's safety net, run every few minutes: count the figures per unit and course again "
        "from the records (changes queue a refresh themselves; this catches writes no signal tells of). "
        "Safe to run at any time: refreshes never interleave."
    )

    def handle(self, *args, **options):
        counted_at = unit_figures.refresh()
        seconds = UnitFiguresRefresh.objects.get(pk=1).seconds
        self.stdout.write(f"Unit figures counted at {counted_at.isoformat()} in {seconds:.2f} s.")
