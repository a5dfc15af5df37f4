from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, create_backup, finished_backups, prune, read_manifest


class Command(BaseCommand):
    requires_system_checks = []  # run on bad days too: a failing check elsewhere must not stop it
    help = (
        "Back up the database (pg_dump, or SQLite's online backup) and the files of the certificate and media "
        "storages into BACKUP_DIR/<UTC time>/ with a manifest, then delete backups older than BACKUP_KEEP_DAYS. "
        "Run daily by gbv-backup.timer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", default=None, help="the directory of backups (default: BACKUP_DIR)")
        parser.add_argument(
            "--keep-days", type=int, default=None, help="delete backups older than this; 0 keeps all (BACKUP_KEEP_DAYS)"
        )

    def handle(self, *args, to=None, keep_days=None, **options):
        backup_dir = to or settings.BACKUP_DIR
        keep_days = settings.BACKUP_KEEP_DAYS if keep_days is None else keep_days
        try:
            path = create_backup(backup_dir)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = read_manifest(path)
        size = sum(entry["size"] for entry in manifest["files"]) + manifest["database"]["size"]
        self.stdout.write(
            f"Backup written: {path} ({manifest['database']['engine']}, {len(manifest['tables'])} tables, "
            f"{sum(manifest['tables'].values())} rows, {len(manifest['files'])} files, {size / 1e6:.1f} MB)."
        )
        deleted = prune(backup_dir, keep_days)
        for old in deleted:
            self.stdout.write(f"Deleted (older than {keep_days} days): {old}")
        self.stdout.write(f"Backups kept in {backup_dir}: {len(finished_backups(backup_dir))}.")
