from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.unit_import import UnitImportError, import_units


class Command(BaseCommand):
    help = "Import organisation units from a CSV file with the columns code,name,parent_code,type."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        try:
            raw_bytes = file.read_bytes()
        except OSError as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}) from None
        try:
            summary = import_units(raw_bytes)
        except UnitImportError as error:
            raise CommandError(
                _("Nothing was imported. Correct these lines and try again:") + "\n" + "\n".join(error.errors)
            ) from None
        self.stdout.write(
            _("Units created: %(created)d, updated: %(updated)d, unchanged: %(unchanged)d.")
            % {"created": len(summary.created), "updated": len(summary.updated), "unchanged": summary.unchanged}
        )
