"""Object storage without a network: STORAGES from the environment, a dead endpoint (a loopback port
where nothing listens) failing fast as StorageUnavailable, /healthz, and moving files on the disk."""

import io
import time

from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import CommandError

import pytest

from ops.backup import BACKED_UP_STORAGES, files_to_restore
from ops.storage import (
    StorageUnavailable,
    media_origins,
    storage_status,
    storage_unavailable,
    storages_from_environment,
)

DEAD_ENDPOINT = "http://127.0.0.1:9011"  # beside the growth tests' moto (9010): nothing listens there
S3 = {
    "S3_ENDPOINT_URL": DEAD_ENDPOINT,
    "S3_REGION": "ap-southeast-1",
    "S3_ACCESS_KEY_ID": "key",
    "S3_SECRET_ACCESS_KEY": "secret",
    "S3_MEDIA_BUCKET": "media",
    "S3_PRIVATE_BUCKET": "private",
    "S3_MAX_ATTEMPTS": "1",
}


def into_new_folders(settings, tmp_path):
    """Media into tmp_path/new and certificates into tmp_path/new-private, on the disk."""
    settings.STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "new"},
        },
        "certificates": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "new-private"},
        },
        "staticfiles": settings.STORAGES["staticfiles"],
    }


def on_dead_endpoint(settings, tmp_path):
    settings.STORAGES = {
        **storages_from_environment(S3, private_media_root=tmp_path),
        "staticfiles": settings.STORAGES["staticfiles"],
    }


def test_without_the_variables_files_stay_on_the_disk_as_before(tmp_path):
    assert storages_from_environment({}, private_media_root=tmp_path) == {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "certificates": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }
    assert media_origins({}) == []


def test_with_the_variables_media_and_certificates_go_to_their_buckets(tmp_path):
    built = storages_from_environment(S3, private_media_root=tmp_path)

    media, private = built["default"]["OPTIONS"], built["certificates"]["OPTIONS"]
    assert built["default"]["BACKEND"] == built["certificates"]["BACKEND"] == "ops.s3.S3Storage"
    assert (media["bucket_name"], private["bucket_name"], private["location"]) == ("media", "private", "")
    assert media["querystring_auth"] is False  # image URLs: plain, cacheable
    assert private["querystring_auth"] is True  # never a public URL for a PDF
    assert media["endpoint_url"] == DEAD_ENDPOINT and media["addressing_style"] == "path"
    assert (media["connect_timeout"], media["read_timeout"], media["max_attempts"]) == (2.0, 10.0, 1)
    assert media_origins(S3) == ["http://127.0.0.1:9011"]


def test_sharing_one_bucket_the_pdfs_take_a_prefix_and_never_none(tmp_path):
    shared = {key: value for key, value in S3.items() if key != "S3_PRIVATE_BUCKET"}

    built = storages_from_environment(shared, private_media_root=tmp_path)

    assert built["certificates"]["OPTIONS"]["bucket_name"] == "media"
    assert built["certificates"]["OPTIONS"]["location"] == "private"
    with pytest.raises(ImproperlyConfigured):
        storages_from_environment({**shared, "S3_PRIVATE_PREFIX": "/"}, private_media_root=tmp_path)


def test_on_aws_image_urls_are_allowed_from_the_buckets_host_only():
    aws = {"S3_MEDIA_BUCKET": "gbv-media", "S3_REGION": "ap-southeast-1"}

    assert media_origins(aws) == [
        "https://gbv-media.s3.amazonaws.com",
        "https://gbv-media.s3.ap-southeast-1.amazonaws.com",
    ]
    assert media_origins({**aws, "S3_MEDIA_DOMAIN": "media.gbv.example.org"}) == ["https://media.gbv.example.org"]


def test_the_s3_backend_has_short_timeouts_and_few_attempts(settings, tmp_path):
    on_dead_endpoint(settings, tmp_path)

    config = storages["certificates"].client_config

    assert (config.connect_timeout, config.read_timeout) == (2.0, 10.0)
    assert config.retries == {"total_max_attempts": 1, "mode": "standard"}


def test_a_dead_endpoint_fails_fast_as_storage_unavailable_an_oserror(settings, tmp_path):
    on_dead_endpoint(settings, tmp_path)
    storage = storages["certificates"]

    started = time.monotonic()
    with pytest.raises(StorageUnavailable) as raised:
        storage.open("2026/x.pdf")
    with pytest.raises(OSError):  # what Wagtail catches for an image it cannot read
        storage.save("2026/y.pdf", ContentFile(b"%PDF"))

    assert time.monotonic() - started < 3
    assert storage_unavailable(raised.value)
    assert not storage_unavailable(RuntimeError("a bug, not an outage"))
    assert storage_status() == "down"


def test_the_disk_is_up_when_its_folders_can_be_written(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media-not-made-yet")  # made on the first upload

    assert storage_status() == "up"


@pytest.mark.django_db
def test_healthz_says_degraded_but_200_when_the_storage_is_down(settings, tmp_path, client):
    on_dead_endpoint(settings, tmp_path)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["storage"], response.json()["database"]) == (
        "degraded",
        "down",
        "up",
    )


def move(*args):
    output = io.StringIO()
    call_command("move_files_to_storage", *args, stdout=output, stderr=io.StringIO())
    return output.getvalue()


def test_moving_files_twice_copies_them_once_and_replaces_one_that_differs(settings, tmp_path):
    source, private = tmp_path / "old-media", tmp_path / "old-private"
    (source / "images").mkdir(parents=True)
    (source / "images" / "a.png").write_bytes(b"one")
    (source / "b.pdf").write_bytes(b"two")
    (private / "2026").mkdir(parents=True)
    (private / "2026" / "c.pdf").write_bytes(b"three")
    into_new_folders(settings, tmp_path)
    args = (f"--media-root={source}", f"--private-root={private}")

    assert move(*args, "--dry-run").splitlines()[0] == "default: 2 would copy, 0 skipped (already there), 0 failed."
    assert not (tmp_path / "new").exists()
    assert move(*args).splitlines() == [
        "default: 2 copied, 0 skipped (already there), 0 failed.",
        "certificates: 1 copied, 0 skipped (already there), 0 failed.",
    ]
    assert move(*args).splitlines() == [
        "default: 0 copied, 2 skipped (already there), 0 failed.",
        "certificates: 0 copied, 1 skipped (already there), 0 failed.",
    ]
    (source / "b.pdf").write_bytes(b"TWO")  # same size, other bytes
    assert move(*args).splitlines()[0] == "default: 1 copied, 1 skipped (already there), 0 failed."
    assert (tmp_path / "new" / "b.pdf").read_bytes() == b"TWO"
    assert (tmp_path / "new" / "images" / "a.png").read_bytes() == b"one"
    assert (tmp_path / "new-private" / "2026" / "c.pdf").read_bytes() == b"three"


def test_moving_onto_the_same_folder_copies_nothing(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    (tmp_path / "a.png").write_bytes(b"one")

    assert move(f"--media-root={tmp_path}", f"--private-root={tmp_path / 'none'}").splitlines() == [
        "default: the storage is " + str(tmp_path) + " itself, nothing to copy.",
        f"certificates: {tmp_path / 'none'} does not exist, nothing to copy.",
    ]


def test_files_that_cannot_be_copied_are_counted_and_the_command_fails(settings, tmp_path):
    on_dead_endpoint(settings, tmp_path)
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "a.png").write_bytes(b"one")

    with pytest.raises(CommandError, match="1 file"):
        move(f"--media-root={tmp_path / 'media'}", f"--private-root={tmp_path / 'none'}")


# Certificates sharing the media bucket under a private prefix: the media storage leaves it alone.

SHARED = {key: value for key, value in S3.items() if key != "S3_PRIVATE_BUCKET"}


def on_a_shared_bucket(settings, tmp_path):
    settings.STORAGES = {
        **storages_from_environment(SHARED, private_media_root=tmp_path),
        "staticfiles": settings.STORAGES["staticfiles"],
    }


def test_sharing_one_bucket_the_media_storage_excludes_the_pdfs_prefix_and_only_then(tmp_path):
    shared = storages_from_environment(SHARED, private_media_root=tmp_path)
    own = storages_from_environment(S3, private_media_root=tmp_path)
    custom = storages_from_environment({**SHARED, "S3_PRIVATE_PREFIX": "/secure/pdf/"}, private_media_root=tmp_path)

    assert shared["default"]["OPTIONS"]["excluded_prefix"] == "private"
    assert (
        custom["default"]["OPTIONS"]["excluded_prefix"] == custom["certificates"]["OPTIONS"]["location"] == "secure/pdf"
    )
    assert "excluded_prefix" not in own["default"]["OPTIONS"]  # a bucket of their own: nothing to leave out
    assert "excluded_prefix" not in shared["certificates"]["OPTIONS"]


def test_the_media_storage_refuses_every_name_under_the_pdfs_prefix_before_any_request(settings, tmp_path):
    on_a_shared_bucket(settings, tmp_path)  # a dead endpoint: a request would fail as StorageUnavailable
    media, certificates = storages["default"], storages["certificates"]

    assert [media.excludes(name) for name in ("private", "private/2026/a.pdf", "images/x.png", "privately.png")] == [
        True,
        True,
        False,
        False,
    ]
    for attempt in (
        lambda: media.save("private/2026/a.pdf", ContentFile(b"%PDF")),
        lambda: media.open("private/2026/a.pdf"),
        lambda: media.exists("private/2026/a.pdf"),
        lambda: media.delete("private/2026/a.pdf"),
        lambda: media.url("private/2026/a.pdf"),
        lambda: media.listdir("private"),
        lambda: media.exists("documents/../private/2026/a.pdf"),
    ):
        with pytest.raises(SuspiciousFileOperation):
            attempt()
    assert not hasattr(certificates, "excludes") or not certificates.excludes("2026/a.pdf")
    assert certificates.url("2026/a.pdf").startswith(f"{DEAD_ENDPOINT}/media/private/2026/a.pdf?")


def test_moving_files_never_copies_the_pdfs_folder_as_media(settings, tmp_path):
    # A local media folder holding private/ (a copy of a shared bucket): left out, no request made.
    on_a_shared_bucket(settings, tmp_path)
    (tmp_path / "mirror" / "private" / "2026").mkdir(parents=True)
    (tmp_path / "mirror" / "private" / "2026" / "a.pdf").write_bytes(b"%PDF one")
    (tmp_path / "mirror" / "private" / "b.pdf").write_bytes(b"%PDF two")

    assert move(
        f"--media-root={tmp_path / 'mirror'}", f"--private-root={tmp_path / 'none'}", "--dry-run"
    ).splitlines() == [
        "default: 0 would copy, 0 skipped (already there), 0 failed.",
        "default: 2 left out (the certificates' folder or prefix, never media).",
        f"certificates: {tmp_path / 'none'} does not exist, nothing to copy.",
    ]

    # On the disk, PRIVATE_MEDIA_ROOT inside MEDIA_ROOT: its PDFs go to the certificates storage only.
    into_new_folders(settings, tmp_path)
    (tmp_path / "mirror" / "images").mkdir()
    (tmp_path / "mirror" / "images" / "c.png").write_bytes(b"png")

    assert move(
        f"--media-root={tmp_path / 'mirror'}", f"--private-root={tmp_path / 'mirror' / 'private'}"
    ).splitlines() == [
        "default: 1 copied, 0 skipped (already there), 0 failed.",
        "default: 2 left out (the certificates' folder or prefix, never media).",
        "certificates: 2 copied, 0 skipped (already there), 0 failed.",
    ]
    assert sorted(str(path.relative_to(tmp_path)) for path in tmp_path.glob("new*/**/*") if path.is_file()) == [
        "new-private/2026/a.pdf",
        "new-private/b.pdf",
        "new/images/c.png",
    ]


def test_a_backup_that_listed_the_pdfs_as_media_too_restores_and_drills_them_once(settings, tmp_path):
    on_a_shared_bucket(settings, tmp_path)
    manifest = {
        "storages": BACKED_UP_STORAGES,
        "files": [
            {"storage": "certificates", "name": "2026/a.pdf", "sha256": "1" * 64},
            {"storage": "media", "name": "private/2026/a.pdf", "sha256": "1" * 64},  # made before the fix
            {"storage": "media", "name": "images/x.png", "sha256": "2" * 64},
        ],
    }

    assert [(storage, entry["name"]) for storage, entry in files_to_restore(manifest)] == [
        (storages["certificates"], "2026/a.pdf"),
        (storages["default"], "images/x.png"),
    ]
