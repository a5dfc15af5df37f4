"""Backups that restore: the database and the files of the storages in one dated directory, a
manifest of what it holds, the restore into an empty database and storage, and the drill that
proves the restored copy holds the same.

A backup, BACKUP_DIR/2026-12-03T061500Z/:
    database.dump     pg_dump --format=custom (PostgreSQL), or an SQLite database file (SQLite)
    files/<dir>/...   every file of each storage of BACKED_UP_STORAGES, under its own name
    manifest.json     format, time, app version, engine, row counts of every table, SHA-256 and
                      size of the dump and of every file: what the drill compares against
It is built under a hidden temporary name and renamed when complete, so a directory named by its
time is always a finished backup. Files are read and written through Django's storage API, so
the same code serves a local disk and an S3 bucket.
"""

import datetime
import hashlib
import json
import os
import posixpath
import re
import shutil
import sqlite3
import subprocess
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import connections, transaction

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_DUMP = "database.dump"
# The backup's directory under files/ → the Django storage it copies.
BACKED_UP_STORAGES = {"certificates": "certificates", "media": "default"}
STAMP_FORMAT = "%Y-%m-%dT%H%M%SZ"
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d{6}Z")
PARTIAL_MARK = ".partial-"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


# --- files through the storage API ---------------------------------------------------------------


def stored_files(storage, directory=""):
    """Every file name in `storage` (below `directory`), sorted; a storage not yet created is empty."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return []
    names = [posixpath.join(directory, name) for name in files]
    for name in directories:
        names += stored_files(storage, posixpath.join(directory, name))
    return sorted(names)


def belongs_elsewhere(storage, name):
    """Whether `name` lies in another storage's part of this one (the certificates' prefix of a
    media bucket they share): never this storage's file, neither to back up nor to restore."""
    return bool(getattr(storage, "excludes", None)) and storage.excludes(name)


def files_to_restore(manifest):
    """[(storage, entry)] of the manifest's files, but for those a storage leaves to another (a
    backup made before the media storage skipped the certificates' prefix listed them twice)."""
    chosen = []
    for entry in manifest["files"]:
        storage = storages[manifest["storages"][entry["storage"]]]
        if not belongs_elsewhere(storage, entry["name"]):
            chosen.append((storage, entry))
    return chosen


def copy_and_hash(source, destination=None):
    """(size, SHA-256 hex) of what `source` holds, copied into `destination` when given."""
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if destination is not None:
            destination.write(chunk)
    return size, digest.hexdigest()


def stored_sha256(storage, name):
    """The SHA-256 of a stored file, or None when it is missing."""
    if not storage.exists(name):
        return None
    with storage.open(name, "rb") as file:
        return copy_and_hash(file)[1]


def file_sha256(path):
    with open(path, "rb") as file:
        return copy_and_hash(file)[1]


def safe_name(name):
    """A manifest's file name, refused if it could point outside its directory (a tampered manifest)."""
    parts = name.split("/")
    if not name or name.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise BackupError(f"The manifest names a file {name!r} that is not a plain relative path.")
    return name


# --- the database -------------------------------------------------------------------------------


def user_tables(connection):
    """The database's tables (Django's and any other), without SQLite's own."""
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
    return sorted(name for name in names if not name.startswith("sqlite_"))


def row_counts(connection):
    """{table: rows} for every table of the database."""
    counts = {}
    with connection.cursor() as cursor:
        for table in user_tables(connection):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - a table name, quoted
            counts[table] = cursor.fetchone()[0]
    return counts


def postgres_program(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed: apt-get install postgresql-client (the server's version or newer)."
        )
    return path


def libpq_environment(database):
    """The environment for pg_dump / pg_restore to reach the settings' database (DATABASE_URL):
    host, port, user and TLS as Django connects, the password never on a command line."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    options = database.get("OPTIONS", {})
    variables = {
        "PGHOST": database.get("HOST"),
        "PGPORT": database.get("PORT"),
        "PGUSER": database.get("USER"),
        "PGPASSWORD": database.get("PASSWORD"),
        "PGDATABASE": database.get("NAME"),
        "PGSSLMODE": options.get("sslmode"),
        "PGSSLROOTCERT": options.get("sslrootcert"),
        "PGSSLCERT": options.get("sslcert"),
        "PGSSLKEY": options.get("sslkey"),
    }
    environment.update({key: str(value) for key, value in variables.items() if value})
    return environment


def run_postgres_program(argv, database):
    done = subprocess.run(argv, env=libpq_environment(database), capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed ({done.returncode}): {done.stderr.strip()}")


def dump_database(connection, target):
    """Write the database to `target`; return {table: rows} as the dump holds them."""
    if connection.vendor == "postgresql":
        return dump_postgres(connection, target)
    if connection.vendor == "sqlite":
        return dump_sqlite(connection, target)
    raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")


def dump_postgres(connection, target):
    # The counts and pg_dump read one snapshot (exported from this transaction), so the manifest
    # describes exactly the dump even while learners keep writing.
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = row_counts(connection)
        run_postgres_program(
            [postgres_program("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
            connection.settings_dict,
        )
    return counts


def dump_sqlite(connection, target):
    # sqlite3's online backup copies a consistent database while others write; the counts are
    # taken from the copy itself.
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        tables = [
            name
            for (name,) in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            if not name.startswith("sqlite_")
        ]
        return {table: copy.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}  # noqa: S608
    finally:
        copy.close()


def restore_database(connection, dump, replace_existing):
    if connection.vendor == "postgresql":
        argv = [postgres_program("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
        argv += ["--single-transaction", f"--dbname={connection.settings_dict['NAME']}"]
        if replace_existing:
            argv += ["--clean", "--if-exists"]
        connection.close()
        run_postgres_program([*argv, str(dump)], connection.settings_dict)
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()
    else:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")


# --- making a backup ----------------------------------------------------------------------------


def app_version():
    """{"version": pyproject's, "commit": the checkout's git commit} (None where unknown)."""
    base = Path(settings.BASE_DIR)
    try:
        version = tomllib.loads((base / "pyproject.toml").read_text())["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        version = None
    commit = None
    git = shutil.which("git")
    if git and (base / ".git").exists():
        done = subprocess.run([git, "-C", str(base), "rev-parse", "HEAD"], capture_output=True, text=True)  # noqa: S603
        commit = done.stdout.strip() if done.returncode == 0 else None
    return {"version": version, "commit": commit or os.environ.get("SENTRY_RELEASE") or None}


def write_durably(path, text):
    with open(path, "w") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())


def create_backup(backup_dir, now=None, using="default"):
    """Back up the database and the storages into backup_dir/<UTC time>/; return its path.

    The database is dumped first, then the files: a file is stored before the row that names it
    is written, so every file the dump refers to is in the backup (later files are harmless).
    """
    now = now or datetime.datetime.now(datetime.UTC)
    backup_dir = Path(backup_dir)
    backup_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = now.strftime(STAMP_FORMAT)
    final = backup_dir / stamp
    if final.exists():
        raise BackupError(f"{final} already exists: one backup per second.")
    connection = connections[using]
    partial = Path(tempfile.mkdtemp(prefix=f".{stamp}{PARTIAL_MARK}", dir=backup_dir))  # mode 0700
    try:
        dump = partial / DATABASE_DUMP
        tables = dump_database(connection, dump)
        size, sha256 = os.path.getsize(dump), file_sha256(dump)
        files = []
        for directory, alias in BACKED_UP_STORAGES.items():
            storage = storages[alias]
            for name in stored_files(storage):
                target = partial / "files" / directory / name
                target.parent.mkdir(parents=True, exist_ok=True)
                with storage.open(name, "rb") as source, open(target, "wb") as copy:
                    file_size, file_digest = copy_and_hash(source, copy)
                    copy.flush()
                    os.fsync(copy.fileno())
                files.append({"storage": directory, "name": name, "size": file_size, "sha256": file_digest})
        manifest = {
            "format": FORMAT,
            "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "app": app_version(),
            "database": {"engine": connection.vendor, "file": DATABASE_DUMP, "size": size, "sha256": sha256},
            "tables": tables,
            "storages": BACKED_UP_STORAGES,
            "files": files,
        }
        write_durably(partial / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    directory_fd = os.open(backup_dir, os.O_RDONLY)
    try:
        os.fsync(directory_fd)  # the rename itself survives a power cut
    finally:
        os.close(directory_fd)
    return final


def finished_backups(backup_dir):
    """[(time, path)] of the finished backups in backup_dir, oldest first."""
    found = []
    for path in Path(backup_dir).glob("*"):
        if path.is_dir() and STAMP.fullmatch(path.name) and (path / MANIFEST).is_file():
            taken = datetime.datetime.strptime(path.name, STAMP_FORMAT).replace(tzinfo=datetime.UTC)
            found.append((taken, path))
    return sorted(found)


def prune(backup_dir, keep_days, now=None):
    """Delete finished backups older than keep_days, never the newest one, and partial ones a run
    that died left a day ago or more. keep_days 0 keeps everything. Returns the deleted paths."""
    if keep_days <= 0:
        return []
    now = now or datetime.datetime.now(datetime.UTC)
    backups = finished_backups(backup_dir)
    deleted = [path for taken, path in backups[:-1] if now - taken > datetime.timedelta(days=keep_days)]
    for path in Path(backup_dir).glob(f".*{PARTIAL_MARK}*"):
        modified = datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.UTC)
        if now - modified > datetime.timedelta(days=1):
            deleted.append(path)
    for path in deleted:
        shutil.rmtree(path)
    return sorted(deleted)


# --- restoring ----------------------------------------------------------------------------------


def read_manifest(backup):
    path = Path(backup) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{backup} is not a finished backup: it has no {MANIFEST}.")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{backup} has manifest format {manifest.get('format')}; this code reads {FORMAT}.")
    unknown = set(manifest["storages"]) - set(BACKED_UP_STORAGES)
    if unknown:
        raise BackupError(f"{backup} holds storages this code does not know: {sorted(unknown)}.")
    return manifest


def backup_problems(backup, manifest):
    """What in the backup directory itself differs from its manifest (a damaged copy)."""
    backup = Path(backup)
    problems = []
    dump = backup / manifest["database"]["file"]
    if not dump.is_file() or file_sha256(dump) != manifest["database"]["sha256"]:
        problems.append(f"{dump.name} is missing or damaged")
    for entry in manifest["files"]:
        path = backup / "files" / entry["storage"] / safe_name(entry["name"])
        if not path.is_file() or file_sha256(path) != entry["sha256"]:
            problems.append(f"files/{entry['storage']}/{entry['name']} is missing or damaged")
    return problems


def what_the_target_holds(using="default"):
    """Why the target is not empty: its tables and the files in each storage (empty when fresh)."""
    held = []
    tables = user_tables(connections[using])
    if tables:
        held.append(f"the database has {len(tables)} tables")
    for alias in BACKED_UP_STORAGES.values():
        files = stored_files(storages[alias])
        if files:
            held.append(f"the {alias!r} storage has {len(files)} files")
    return held


def restore_backup(backup, replace_existing=False, using="default", say=print):
    """Restore `backup` into the settings' database and storages, which must be empty unless
    replace_existing; nothing is written when the backup is damaged or the target is not empty."""
    backup = Path(backup)
    manifest = read_manifest(backup)
    problems = backup_problems(backup, manifest)
    if problems:
        raise BackupError(f"The backup {backup} is damaged: " + "; ".join(problems) + ".")
    held = what_the_target_holds(using)
    if held and not replace_existing:
        raise BackupError(
            "The target is not empty: " + "; ".join(held) + ". Restore into a new database and empty "
            "storage, or pass --replace-existing to overwrite what the backup holds (other data stays)."
        )
    connection = connections[using]
    say(f"Restoring the database from {backup / manifest['database']['file']} ({connection.vendor}) …")
    restore_database(connection, backup / manifest["database"]["file"], replace_existing)
    chosen = files_to_restore(manifest)
    say(f"Copying {len(chosen)} files into the storages …")
    if len(chosen) < len(manifest["files"]):
        say(f"Left out {len(manifest['files']) - len(chosen)} copies of certificate PDFs listed as media too.")
    for storage, entry in chosen:
        name = safe_name(entry["name"])
        if storage.exists(name):
            storage.delete(name)  # only reached with replace_existing
        with open(backup / "files" / entry["storage"] / name, "rb") as source:
            saved = storage.save(name, File(source, name=name))
        if saved != name:
            raise BackupError(f"The storage saved {name!r} as {saved!r}.")
    return manifest


# --- the drill ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One line of the drill: what the backup says against what the database or storage holds."""

    kind: str
    item: str
    expected: str
    found: str

    @property
    def ok(self):
        return self.expected == self.found


DRILL_CHECKS = {}


def register_drill_check(kind, check):
    """Add a higher app's check to the drill (ops may not import it): `check()` yields Checks.

    The certificates app registers the PDF check in its AppConfig.ready().
    """
    DRILL_CHECKS[kind] = check


MISSING = "missing"
ABSENT = "not in the backup"


def run_drill(manifest, using="default"):
    """Every check of the drill: row counts, files, then each registered check."""
    checks = []
    counts = row_counts(connections[using])
    for table in sorted(set(manifest["tables"]) | set(counts)):
        expected = manifest["tables"].get(table)
        found = counts.get(table)
        checks.append(
            Check(
                "rows", table, ABSENT if expected is None else str(expected), MISSING if found is None else str(found)
            )
        )
    chosen = files_to_restore(manifest)
    for directory, alias in manifest["storages"].items():
        storage = storages[alias]
        listed = {entry["name"]: entry["sha256"] for _storage, entry in chosen if entry["storage"] == directory}
        for name in sorted(set(listed) | set(stored_files(storage))):
            expected = listed.get(name, ABSENT)
            checks.append(Check("file", f"{directory}/{name}", expected, stored_sha256(storage, name) or MISSING))
    for check in DRILL_CHECKS.values():
        checks.extend(check())
    return checks


def shown(value):
    """A SHA-256 cut to its first 16 digits for the table; anything else as it is."""
    return value[:16] + "…" if re.fullmatch(r"[0-9a-f]{64}", value) else value


def drill_table(checks, every_line=False):
    """The drill as lines of text: every table's row count, then the files and registered checks
    that differ (all of them with every_line), and a summary line per kind."""
    listed = [check for check in checks if check.kind == "rows" or every_line or not check.ok]
    cells = [("CHECK", "ITEM", "EXPECTED", "FOUND", "RESULT")]
    cells += [
        (check.kind, check.item, shown(check.expected), shown(check.found), "ok" if check.ok else "MISMATCH")
        for check in listed
    ]
    widths = [max(len(row[column]) for row in cells) for column in range(5)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.append("")
    for kind in dict.fromkeys(["rows", "file", *DRILL_CHECKS, *(check.kind for check in checks)]):
        of_kind = [check for check in checks if check.kind == kind]
        wrong = sum(not check.ok for check in of_kind)
        lines.append(f"{kind}: {len(of_kind)} checked, {wrong} mismatched")
    return lines
