"""A backup restores: on PostgreSQL, the test's own data is backed up by `manage.py backup` and
restored by `manage.py restore` into a fresh database and empty storage directories, as an operator
would (subprocesses, production settings, everything from the environment). Row counts are equal,
every certificate's PDF has the same SHA-256 before and after and the restored site verifies it; a
target that is not empty is refused and left as it was; the drill finds a PDF changed afterwards.

Databases gbv_backup_* on the machine's PostgreSQL (127.0.0.1:5432), dropped at the end.
"""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import psycopg.sql
import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER = "postgres://postgres@127.0.0.1:5432"
SOURCE, TARGET = "gbv_backup_source", "gbv_backup_restored"


def admin_connection():
    return psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=5)


def recreate(*names):
    with admin_connection() as connection:
        for name in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if name:
                connection.execute(f'CREATE DATABASE "{name}"')


def drop(*names):
    with admin_connection() as connection:
        for name in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def table_counts(database):
    """{table: rows} of the database's public schema, read without Django."""
    with psycopg.connect(f"{SERVER}/{database}") as connection:
        tables = [row[0] for row in connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        count = psycopg.sql.SQL("SELECT COUNT(*) FROM {}")
        return {
            table: connection.execute(count.format(psycopg.sql.Identifier(table))).fetchone()[0] for table in tables
        }


def file_hashes(directory):
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(Path(directory).rglob("*"))
        if path.is_file()
    }


class Site:
    """One database and its two storage directories, and the commands run against them."""

    def __init__(self, database, directory):
        self.database = database
        self.media, self.private = directory / "media", directory / "private_media"

    def environment(self, settings="config.settings.production"):
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/"),
            "LANG": "C.UTF-8",
            "DJANGO_SETTINGS_MODULE": settings,
            "DATABASE_URL": f"{SERVER}/{self.database}",
            "MEDIA_ROOT": str(self.media),
            "PRIVATE_MEDIA_ROOT": str(self.private),
            "DJANGO_SECRET_KEY": "growth-test-only-" + "k" * 40,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "WAGTAILADMIN_BASE_URL": "https://testserver",
            "EMAIL_HOST": "127.0.0.1",
            "LOG_LEVEL": "ERROR",
        }

    def run(self, *argv, settings="config.settings.production"):
        return subprocess.run(
            [sys.executable, *argv],
            cwd=ROOT,
            env=self.environment(settings),
            capture_output=True,
            text=True,
            timeout=120,
        )

    def manage(self, *argv):
        return self.run("manage.py", *argv)


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory):
    """The source site with its data, and its backup: (source site, backup directory, certificates)."""
    try:
        recreate(SOURCE, TARGET)
    except psycopg.OperationalError as error:
        pytest.fail(f"These tests need the machine's PostgreSQL on 127.0.0.1:5432: {error}")
    directory = tmp_path_factory.mktemp("backup")
    source = Site(SOURCE, directory / "source")
    seeded = source.run(
        "-m", "tests.growth.backup_seed", str(directory / "certificates.json"), settings="config.settings.dev"
    )
    assert seeded.returncode == 0, seeded.stderr
    certificates = json.loads((directory / "certificates.json").read_text())

    made = source.manage("backup", "--to", str(directory / "backups"))
    assert made.returncode == 0, made.stderr
    [backup] = (directory / "backups").iterdir()
    yield source, backup, certificates
    drop(SOURCE, TARGET)


def test_restore_refuses_a_target_that_is_not_empty_and_changes_nothing(backed_up, tmp_path):
    source, backup, _ = backed_up
    counts, files = table_counts(SOURCE), file_hashes(source.private) | file_hashes(source.media)

    into_itself = source.manage("restore", str(backup))

    assert into_itself.returncode != 0 and "The target is not empty: the database has" in into_itself.stderr
    assert table_counts(SOURCE) == counts and file_hashes(source.private) | file_hashes(source.media) == files

    # A fresh database, but a storage with a file in it: refused before the database is touched.
    target = Site(TARGET, tmp_path)
    (target.private / "2026").mkdir(parents=True)
    (target.private / "2026" / "left-over.pdf").write_bytes(b"%PDF-1.7 someone else's")
    refused = target.manage("restore", str(backup))

    assert refused.returncode != 0 and "the 'certificates' storage has 1 files" in refused.stderr
    assert table_counts(TARGET) == {} and file_hashes(target.private) == {"2026/left-over.pdf": hashlib.sha256(
        b"%PDF-1.7 someone else's"
    ).hexdigest()}  # fmt: skip


def test_a_backup_restores_into_a_fresh_database_and_storage_whose_certificates_verify_as_before_and_gives_back_a_learners_record(
    backed_up, tmp_path
):
    source, backup, certificates = backed_up
    target = Site(TARGET, tmp_path)
    assert table_counts(TARGET) == {}  # fresh (the refusal before left it so)

    restored = target.manage("restore", str(backup))

    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "The drill passed" in restored.stdout and "certificate: 3 checked, 0 mismatched" in restored.stdout
    assert table_counts(TARGET) == table_counts(SOURCE)
    assert table_counts(TARGET)["certificates_certificate"] == 4  # three current, one replaced
    assert file_hashes(target.private) == file_hashes(source.private)
    assert file_hashes(target.media) == file_hashes(source.media) != {}
    with psycopg.connect(f"{SERVER}/{TARGET}") as connection:
        recorded = dict(connection.execute("SELECT code, pdf_sha256 FROM certificates_certificate").fetchall())
    for certificate in certificates:
        after = hashlib.sha256((target.private / certificate["pdf"]).read_bytes()).hexdigest()
        assert after == certificate["sha256"] == recorded[certificate["code"]]

    # The restored site verifies each certificate at /verify/<code>/, showing the same SHA-256.
    script = (
        "import json; from django.test import Client; client = Client(); print(json.dumps(["
        "(r.status_code, r.content.decode()) for r in (client.get(f'/verify/{code}/', secure=True) for code in %r)]))"
    ) % [certificate["code"] for certificate in certificates]
    shown = target.run("manage.py", "shell", "-c", script, settings="config.settings.dev")  # no collectstatic
    assert shown.returncode == 0, shown.stderr
    pages = json.loads(shown.stdout.strip().splitlines()[-1])
    for certificate, (status, page) in zip(certificates, pages, strict=True):
        assert status == 200 and certificate["serial"] in page and certificate["sha256"] in page

    # The drill on its own finds a PDF changed after the restore.
    changed = certificates[-1]
    (target.private / changed["pdf"]).write_bytes(b"%PDF-1.7 altered")
    drilled = target.manage("restore", "--check-only", str(backup))
    assert drilled.returncode != 0 and "The drill found 2 mismatches" in drilled.stderr
    mismatched = [line.split()[:2] for line in drilled.stdout.splitlines() if line.endswith("MISMATCH")]
    assert mismatched == [["file", f"certificates/{changed['pdf']}"], ["certificate", changed["serial"]]]

    # One learner's certificates lost in the live database come back from the restored side copy,
    # nothing else touched; copying again adds nothing.
    email = "nguoi.dung0@example.org"  # the re-issued one's holder: a current and a replaced certificate
    with psycopg.connect(f"{SERVER}/{SOURCE}") as connection:
        connection.execute(
            "DELETE FROM certificates_certificate WHERE user_id = (SELECT id FROM accounts_user WHERE email = %s)",
            [email],
        )
    copy = [str(ROOT / "deploy/copy-learner-rows"), f"{SERVER}/{TARGET}", f"{SERVER}/{SOURCE}", email]
    copied = subprocess.run(copy, capture_output=True, text=True, timeout=30)
    again = subprocess.run(copy, capture_output=True, text=True, timeout=30)

    assert copied.returncode == 0, copied.stderr
    assert "certificates_certificate 2 2" in copied.stdout and "courses_completion 1 0" in copied.stdout
    assert again.returncode == 0 and "certificates_certificate 2 0" in again.stdout
    assert table_counts(SOURCE) == table_counts(TARGET)
