"""Backups: a dated directory made whole or not at all, a manifest of every table and file, old ones
pruned, a restore that refuses to write over anything, and a drill that finds what differs.

The full restore into a fresh PostgreSQL database is tests/growth/test_backup_restore.py.
"""

import datetime
import hashlib
import json
import os

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import connection

import pytest

from accounts.models import OrganisationUnit, User
from certificates.models import Certificate
from ops.backup import (
    BACKED_UP_STORAGES,
    DRILL_CHECKS,
    create_backup,
    finished_backups,
    prune,
    read_manifest,
    row_counts,
    stored_files,
)
from tests.accounts.factories import OrganisationUnitFactory, UserFactory
from tests.cms.factories import make_document
from tests.courses.factories import complete_course

# pg_dump reads committed rows only; the restored Wagtail root page comes back after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NOW = datetime.datetime(2026, 12, 3, 6, 15, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def empty_storages():
    """The test settings' storages are temporary directories shared by the session: empty them,
    so each test's backup holds its own files only."""

    def empty():
        for alias in BACKED_UP_STORAGES.values():
            for name in stored_files(storages[alias]):
                storages[alias].delete(name)

    empty()
    yield
    empty()


@pytest.fixture
def learner_with_certificate(course):
    """A learner who completed the course, their certificate's PDF rendered, and a document."""
    unit = OrganisationUnitFactory(code="HN-P-HK-CA", name="Công an phường Hoàn Kiếm")
    learner = UserFactory(full_name="Nguyễn Thị Hằng", unit=unit, email="hang@example.org")
    complete_course(learner, course)  # outside a test transaction: on commit renders the PDF now
    make_document()
    return Certificate.objects.get(user=learner)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def stored(alias, name):
    with storages[alias].open(name, "rb") as file:
        return file.read()


def test_a_backup_is_one_dated_directory_with_the_dump_every_file_and_their_manifest(
    learner_with_certificate, tmp_path
):
    certificate = learner_with_certificate

    path = create_backup(tmp_path, now=NOW)

    assert path == tmp_path / "2026-12-03T061500Z" and sorted(os.listdir(tmp_path)) == ["2026-12-03T061500Z"]
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["format"] == 1 and manifest["created_at"] == "2026-12-03T06:15:00Z"
    assert manifest["app"]["version"] == "0.1.0"
    assert manifest["database"]["engine"] == connection.vendor
    assert manifest["database"]["sha256"] == sha256((path / "database.dump").read_bytes())
    assert manifest["tables"] == row_counts(connection)
    assert manifest["tables"]["accounts_user"] == User.objects.count() >= 1
    assert manifest["tables"]["certificates_certificate"] == 1 and "django_migrations" in manifest["tables"]

    files = {(entry["storage"], entry["name"]): entry for entry in manifest["files"]}
    pdf = files["certificates", certificate.pdf.name]
    assert pdf["sha256"] == certificate.pdf_sha256 == sha256((path / "files/certificates" / pdf["name"]).read_bytes())
    assert pdf["size"] == certificate.pdf.size
    [document] = [entry for (directory, _), entry in files.items() if directory == "media"]
    assert document["name"].startswith("documents/")
    assert (path / "files/media" / document["name"]).read_bytes() == b"%PDF-1.4\n%test\n"
    assert oct(path.stat().st_mode & 0o777) == "0o700"  # personal data: the service's user only


def test_a_backup_that_fails_midway_leaves_nothing_that_looks_like_a_backup(tmp_path):
    storages["default"].save("documents/kept.txt", ContentFile(b"kept"))
    vanished = storages["default"].path("documents/vanished.txt")
    os.symlink("/nonexistent/target", vanished)  # listed, then gone when read: as a file deleted meanwhile

    with pytest.raises(FileNotFoundError):
        create_backup(tmp_path, now=NOW)

    os.unlink(vanished)
    assert os.listdir(tmp_path) == [] and finished_backups(tmp_path) == []


def test_pruning_deletes_backups_older_than_the_kept_days_never_the_newest_and_stale_partial_ones(tmp_path):
    def finished(stamp):
        (tmp_path / stamp).mkdir()
        (tmp_path / stamp / "manifest.json").write_text("{}")

    for stamp in ("2026-11-20T061500Z", "2026-11-26T000000Z", "2026-11-27T061500Z", "2026-12-03T061500Z"):
        finished(stamp)
    (tmp_path / "2026-11-01T061500Z").mkdir()  # no manifest: not a backup of ours, left alone
    stale, fresh = tmp_path / ".2026-11-30T061500Z.partial-ab12", tmp_path / ".2026-12-03T061500Z.partial-cd34"
    stale.mkdir(), fresh.mkdir()
    for partial, age in ((stale, datetime.timedelta(days=2)), (fresh, datetime.timedelta(hours=1))):
        os.utime(partial, ((NOW - age).timestamp(),) * 2)

    assert prune(tmp_path, keep_days=0, now=NOW) == []
    deleted = prune(tmp_path, keep_days=7, now=NOW)

    assert [path.name for path in deleted] == [stale.name, "2026-11-20T061500Z", "2026-11-26T000000Z"]
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        fresh.name, "2026-11-01T061500Z", "2026-11-27T061500Z", "2026-12-03T061500Z"
    ]  # fmt: skip
    # Backups stopped a month ago: the last one stays whatever its age.
    assert [path.name for path in prune(tmp_path, keep_days=7, now=NOW + datetime.timedelta(days=30))] == [
        fresh.name, "2026-11-27T061500Z"
    ]  # fmt: skip
    assert [path.name for _, path in finished_backups(tmp_path)] == ["2026-12-03T061500Z"]


def test_the_backup_command_writes_into_backup_dir_and_prunes_by_backup_keep_days(settings, tmp_path):
    settings.BACKUP_DIR, settings.BACKUP_KEEP_DAYS = tmp_path, 7
    (tmp_path / "2020-01-01T000000Z").mkdir()
    (tmp_path / "2020-01-01T000000Z" / "manifest.json").write_text("{}")

    call_command("backup", stdout=(output := _Output()))

    [(_, path)] = finished_backups(tmp_path)
    assert f"Backup written: {path}" in output.text and "2020-01-01T000000Z" in output.text
    assert read_manifest(path)["database"]["engine"] == connection.vendor


def test_restore_refuses_a_database_with_tables_or_a_storage_with_files_and_changes_nothing(
    learner_with_certificate, tmp_path
):
    path = create_backup(tmp_path, now=NOW)
    OrganisationUnitFactory(code="HN-NEW", name="Đơn vị mới sau sao lưu")
    counts_before, pdf_before = row_counts(connection), stored("certificates", learner_with_certificate.pdf.name)

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(path), stdout=_Output())

    assert "the database has" in str(refused.value) and "'certificates' storage has 1 files" in str(refused.value)
    assert "--replace-existing" in str(refused.value)
    assert row_counts(connection) == counts_before and OrganisationUnit.objects.filter(code="HN-NEW").exists()
    assert stored("certificates", learner_with_certificate.pdf.name) == pdf_before


def test_restore_refuses_a_damaged_backup_before_writing_anything(learner_with_certificate, tmp_path):
    path = create_backup(tmp_path, now=NOW)
    copy = path / "files/certificates" / learner_with_certificate.pdf.name
    copy.write_bytes(copy.read_bytes()[:-10])

    with pytest.raises(CommandError, match=f"damaged: files/certificates/{learner_with_certificate.pdf.name}"):
        call_command("restore", str(path), "--replace-existing", stdout=_Output())

    assert stored("certificates", learner_with_certificate.pdf.name) != copy.read_bytes()


def test_the_drill_passes_on_an_unchanged_copy_and_finds_a_missing_row_a_changed_file_and_a_pdf_that_differs(
    learner_with_certificate, tmp_path
):
    certificate = learner_with_certificate
    spare = OrganisationUnitFactory(code="HN-X-SS", name="Xã Sóc Sơn")
    path = create_backup(tmp_path, now=NOW)
    call_command("restore", str(path), "--check-only", stdout=(passed := _Output()))
    assert "The drill passed" in passed.text and "MISMATCH" not in passed.text
    assert "certificate: 1 checked, 0 mismatched" in passed.text

    spare.delete()
    storages["certificates"].delete(certificate.pdf.name)
    storages["certificates"].save(certificate.pdf.name, ContentFile(b"%PDF-1.7 not the one issued"))
    with pytest.raises(CommandError, match="The drill found 3 mismatches"):
        call_command("restore", str(path), "--check-only", stdout=(failed := _Output()))

    mismatches = [line.split() for line in failed.text.splitlines() if line.endswith("MISMATCH")]
    units = OrganisationUnit.objects.count()
    assert ["rows", "accounts_organisationunit", str(units + 1), str(units), "MISMATCH"] in mismatches
    assert [row[:2] for row in mismatches[1:]] == [
        ["file", f"certificates/{certificate.pdf.name}"],
        ["certificate", certificate.serial],
    ]
    assert "certificate" in DRILL_CHECKS  # connected by CertificatesConfig.ready()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite: the restore is a database file copied back")
def test_on_sqlite_a_restore_over_the_live_data_when_told_brings_back_what_was_lost(learner_with_certificate, tmp_path):
    certificate = learner_with_certificate
    path = create_backup(tmp_path, now=NOW)
    Certificate.objects.all().delete()
    storages["certificates"].delete(certificate.pdf.name)

    call_command("restore", str(path), "--replace-existing", stdout=(output := _Output()))

    assert "The drill passed" in output.text
    restored = Certificate.objects.get()
    assert restored.serial == certificate.serial and sha256(stored("certificates", restored.pdf.name)) == (
        restored.pdf_sha256
    )


class _Output:
    """A stdout for call_command whose text the test reads."""

    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass
