"""Copy the files on this server's disk into the configured storages (docs/deployment.md, "Object storage")."""

import functools
import os

from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError

from ops.storage import copy_tree


class Command(BaseCommand):
    help = (
        "Copy MEDIA_ROOT into STORAGES['default'] and PRIVATE_MEDIA_ROOT into STORAGES['certificates'], "
        "under the same names. Safe to run twice: a file already there with the same size and content "
        "is skipped. The local files are left in place."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be copied; copy nothing.")
        parser.add_argument("--media-root", default=None, help="Instead of settings.MEDIA_ROOT.")
        parser.add_argument("--private-root", default=None, help="Instead of settings.PRIVATE_MEDIA_ROOT.")

    def handle(self, *, dry_run, media_root, private_root, **options):
        media_root = media_root or settings.MEDIA_ROOT
        private_root = private_root or settings.PRIVATE_MEDIA_ROOT
        sources = [("default", media_root, [private_root]), ("certificates", private_root, [])]
        failed = 0
        for alias, root, leave_out in sources:
            if not os.path.isdir(root):
                self.stdout.write(f"{alias}: {root} does not exist, nothing to copy.")
                continue
            counts = copy_tree(
                root,
                storages[alias],
                dry_run=dry_run,
                on_failure=functools.partial(self.report, alias),
                leave_out=leave_out,  # PDFs in a folder inside MEDIA_ROOT are the certificates' only
            )
            if counts is None:
                self.stdout.write(f"{alias}: the storage is {root} itself, nothing to copy.")
                continue
            verb = "would copy" if dry_run else "copied"
            self.stdout.write(
                f"{alias}: {counts['copied']} {verb}, {counts['skipped']} skipped (already there), "
                f"{counts['failed']} failed."
            )
            if counts["left out"]:
                self.stdout.write(
                    f"{alias}: {counts['left out']} left out (the certificates' folder or prefix, never media)."
                )
            failed += counts["failed"]
        if failed:
            raise CommandError(f"{failed} file(s) could not be copied; run the command again to retry them.")

    def report(self, alias, name, error):
        self.stderr.write(f"{alias}: {name}: {type(error).__name__}: {error}")
