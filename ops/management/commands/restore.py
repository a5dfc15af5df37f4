from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, drill_table, read_manifest, restore_backup, run_drill


class Command(BaseCommand):
    requires_system_checks = []  # run on bad days too: a failing check elsewhere must not stop it
    help = (
        "Restore a backup made by `manage.py backup` into the settings' database and storages, which must be "
        "empty, then run the drill: row counts of every table, every file's SHA-256 and every certificate's PDF "
        "against the backup. --check-only runs the drill alone. Exits non-zero on any mismatch."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="the backup's directory, e.g. /srv/gbv/backups/2026-12-03T061500Z")
        parser.add_argument(
            "--check-only",
            action="store_true",
            help="restore nothing: compare the database and storages with the backup",
        )
        parser.add_argument(
            "--replace-existing",
            action="store_true",
            help="restore even into a database with tables or storages with files (what the backup holds is overwritten)",
        )

    def handle(self, *args, backup, check_only=False, replace_existing=False, verbosity=1, **options):
        try:
            if check_only:
                manifest = read_manifest(backup)
            else:
                manifest = restore_backup(backup, replace_existing=replace_existing, say=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Drill: {backup}, made {manifest['created_at']}, against the database and storages now.")
        checks = run_drill(manifest)
        for line in drill_table(checks, every_line=verbosity > 1):
            self.stdout.write(line)
        wrong = sum(not check.ok for check in checks)
        if wrong:
            raise CommandError(f"The drill found {wrong} mismatches: this copy does not hold what the backup holds.")
        self.stdout.write(self.style.SUCCESS(f"The drill passed: {len(checks)} checks, all equal."))
