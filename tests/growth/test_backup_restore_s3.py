"""A backup restores when the files live on S3-compatible storage: moto in server mode on this test's
loopback port, the test's own data seeded into its buckets, `manage.py backup` and `manage.py
restore` run as an operator would (subprocesses, production settings, S3_* from the environment).

The backup of a site with the PDFs in their own bucket restores into a fresh database and a fresh
bucket that the PDFs share under their private prefix; the backup of that copy holds each PDF once,
never a second time as media (the media storage leaves private/ alone). Row counts
are equal, every certificate PDF's SHA-256 equals the one recorded at issuance, the objects are
really in the new bucket, nothing lands on the local disk, and the drill passes. A bucket that
is not empty is refused before the database is touched. (About 35 s, most of it Django starting
in each of the five subprocesses.)

Databases gbv_backups3_* on the machine's PostgreSQL (127.0.0.1:5432), dropped at the end.
"""

import hashlib
import json

import psycopg
import pytest

from tests.growth.s3_endpoint import MotoServer
from tests.growth.test_backup_restore import SERVER, Site, drop, recreate, table_counts

PORT = 9020  # this test's loopback port (9020-9029)
SOURCE, RESTORED = "gbv_backups3_source", "gbv_backups3_restored"
# The source keeps its PDFs in a bucket of their own; the copies share one bucket under private/.
SOURCE_MEDIA, SOURCE_PRIVATE = "source-media", "source-private"
RESTORED_BUCKET, BUSY_BUCKET = "restored", "busy"
BUCKETS = (SOURCE_MEDIA, SOURCE_PRIVATE, RESTORED_BUCKET, BUSY_BUCKET)


class S3Site(Site):
    """A site whose files live in the moto buckets; its local folders must stay empty."""

    def __init__(self, database, directory, s3):
        super().__init__(database, directory)
        self.s3 = s3

    def environment(self, settings="config.settings.production"):
        return {**super().environment(settings), **self.s3}

    def disk_is_empty(self):
        return not any(
            path.is_file() for folder in (self.media, self.private) if folder.exists() for path in folder.rglob("*")
        )


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def contents(moto, bucket, prefix=""):
    """{key without prefix: SHA-256} of the bucket's objects under prefix."""
    return {
        key[len(prefix) :]: sha256(moto.read(bucket, key)) for key in moto.objects(bucket) if key.startswith(prefix)
    }


@pytest.fixture(scope="module")
def moto():
    server = MotoServer(PORT, buckets=BUCKETS)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def backed_up(moto, tmp_path_factory):
    """The source site seeded into its own two buckets, and its backup: (site, backup, certificates)."""
    try:
        recreate(SOURCE, RESTORED)
    except psycopg.OperationalError as error:
        pytest.fail(f"These tests need the machine's PostgreSQL on 127.0.0.1:5432: {error}")
    directory = tmp_path_factory.mktemp("backup-s3")
    source = S3Site(SOURCE, directory / "source", moto.environment(SOURCE_MEDIA, SOURCE_PRIVATE))
    seeded = source.run(
        "-m", "tests.growth.backup_seed", str(directory / "certificates.json"), settings="config.settings.dev"
    )
    assert seeded.returncode == 0, seeded.stderr
    certificates = json.loads((directory / "certificates.json").read_text())
    assert {c["pdf"] for c in certificates} <= set(moto.objects(SOURCE_PRIVATE)) and moto.objects(SOURCE_MEDIA)

    made = source.manage("backup", "--to", str(directory / "backups"))
    assert made.returncode == 0, made.stderr
    [backup] = (directory / "backups").iterdir()
    try:
        yield source, backup, certificates
    finally:
        drop(SOURCE, RESTORED)


def manifest_files(backup):
    manifest = json.loads((backup / "manifest.json").read_text())
    return {(entry["storage"], entry["name"]): entry["sha256"] for entry in manifest["files"]}


def test_restore_refuses_a_bucket_that_is_not_empty_and_changes_nothing(backed_up, moto, tmp_path):
    _source, backup, _ = backed_up
    # One bucket shared with the PDFs, holding one under private/: the certificates' file, not media.
    moto.client().put_object(Bucket=BUSY_BUCKET, Key="private/2026/left-over.pdf", Body=b"%PDF-1.7 someone else's")
    target = S3Site(RESTORED, tmp_path, moto.environment(BUSY_BUCKET))

    refused = target.manage("restore", str(backup))

    assert refused.returncode != 0 and "the 'certificates' storage has 1 files" in refused.stderr
    assert "'default' storage" not in refused.stderr  # the media storage does not see private/
    assert table_counts(RESTORED) == {} and target.disk_is_empty()
    assert contents(moto, BUSY_BUCKET) == {"private/2026/left-over.pdf": sha256(b"%PDF-1.7 someone else's")}


def test_a_backup_from_s3_restores_into_fresh_buckets_and_the_shared_bucket_holds_each_pdf_once(
    backed_up, moto, tmp_path
):
    source, backup, certificates = backed_up
    assert table_counts(RESTORED) == {} and moto.objects(RESTORED_BUCKET) == {}
    source_files = manifest_files(backup)
    assert {name for storage, name in source_files if storage == "certificates"} == set(moto.objects(SOURCE_PRIVATE))
    assert {name for storage, name in source_files if storage == "media"} == set(moto.objects(SOURCE_MEDIA))

    # Into a fresh database and a fresh bucket shared by media and, under private/, the PDFs.
    restored = S3Site(RESTORED, tmp_path / "restored", moto.environment(RESTORED_BUCKET))
    done = restored.manage("restore", str(backup))

    assert done.returncode == 0, done.stdout + done.stderr
    assert "The drill passed" in done.stdout and "certificate: 3 checked, 0 mismatched" in done.stdout
    assert table_counts(RESTORED) == table_counts(SOURCE)
    assert table_counts(RESTORED)["certificates_certificate"] == 4  # three current, one replaced
    assert contents(moto, RESTORED_BUCKET, "private/") == contents(moto, SOURCE_PRIVATE)
    media = {key: digest for key, digest in contents(moto, RESTORED_BUCKET).items() if not key.startswith("private/")}
    assert media == contents(moto, SOURCE_MEDIA) != {}
    with psycopg.connect(f"{SERVER}/{RESTORED}") as connection:
        recorded = dict(connection.execute("SELECT code, pdf_sha256 FROM certificates_certificate").fetchall())
    for certificate in certificates:
        after = sha256(moto.read(RESTORED_BUCKET, f"private/{certificate['pdf']}"))
        assert after == certificate["sha256"] == recorded[certificate["code"]]
    assert restored.disk_is_empty() and source.disk_is_empty()

    # The copy's backup holds each PDF once, as a certificate: the media storage skips private/
    # (so a restore of it cannot put them back twice either).
    copy_backup = restored.manage("backup", "--to", str(tmp_path / "backups"))
    assert copy_backup.returncode == 0, copy_backup.stderr
    [second] = (tmp_path / "backups").iterdir()
    assert manifest_files(second) == source_files
