"""Where files live: the local disk, or S3-compatible object storage when configured.

`storages_from_environment` builds settings.STORAGES from the S3_* variables (docs/deployment.md,
"Object storage"); without them, the disk as before. On S3 every failure to reach the endpoint
becomes `StorageUnavailable`, an OSError: Wagtail then treats an image it cannot read as missing
(its templates show no picture instead of a 500), and the site answers a download with a 503
(cms.error_views.StorageUnavailableMiddleware). botocore's timeouts and retries are short, so a
dead endpoint costs a request a few seconds, never a minute.
"""

import hashlib
import os
import sys
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.deconstruct import deconstructible

# Seconds a visitor is asked to wait before asking for a file again.
RETRY_AFTER_SECONDS = 60

CHUNK = 1024 * 1024

LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"
S3_BACKEND = "ops.s3.S3Storage"


class StorageUnavailable(OSError):
    """The object storage did not answer (down, unreachable, too slow) or refused us (credentials)."""


def botocore_outage(exception):
    """True for botocore's own errors (no connection, timeouts) and any answer but 404 (a missing
    object, which django-storages turns into FileNotFoundError)."""
    exceptions = sys.modules.get("botocore.exceptions")
    if exceptions is None:  # botocore never loaded: on the disk, none of its errors can occur
        return False
    BotoCoreError, ClientError = exceptions.BotoCoreError, exceptions.ClientError  # noqa: N806
    if isinstance(exception, BotoCoreError):
        return True
    if isinstance(exception, ClientError):
        return exception.response.get("ResponseMetadata", {}).get("HTTPStatusCode") != 404
    return False


def storage_unavailable(exception):
    """True when `exception`, or one it was raised from, is the object storage failing us."""
    seen = set()
    while exception is not None and id(exception) not in seen:
        if isinstance(exception, StorageUnavailable) or botocore_outage(exception):
            return True
        seen.add(id(exception))
        exception = exception.__cause__ or exception.__context__
    return False


@deconstructible(path="ops.storage.StorageAlias")
class StorageAlias(Storage):
    """The storage settings.STORAGES names `alias`, looked up on each use.

    A FileField keeps the storage object it was given when its model class was built; this one
    follows STORAGES instead (a test's override_settings, a deployment switched to S3), and
    deconstructs to the same value whatever STORAGES says, so migrations never change.
    """

    def __init__(self, alias):
        self.alias = alias

    @property
    def current(self):
        return storages[self.alias]

    def open(self, name, mode="rb"):
        return self.current.open(name, mode)

    def save(self, name, content, max_length=None):
        return self.current.save(name, content, max_length=max_length)

    def get_valid_name(self, name):
        return self.current.get_valid_name(name)

    def get_alternative_name(self, file_root, file_ext):
        return self.current.get_alternative_name(file_root, file_ext)

    def get_available_name(self, name, max_length=None):
        return self.current.get_available_name(name, max_length=max_length)

    def generate_filename(self, filename):
        return self.current.generate_filename(filename)

    def path(self, name):
        return self.current.path(name)

    def delete(self, name):
        return self.current.delete(name)

    def exists(self, name):
        return self.current.exists(name)

    def listdir(self, path):
        return self.current.listdir(path)

    def size(self, name):
        return self.current.size(name)

    def url(self, name):
        return self.current.url(name)

    def get_accessed_time(self, name):
        return self.current.get_accessed_time(name)

    def get_created_time(self, name):
        return self.current.get_created_time(name)

    def get_modified_time(self, name):
        return self.current.get_modified_time(name)


def copy_tree(root, storage, *, dry_run=False, on_failure=None, leave_out=()):
    """Copy every file under the folder `root` into `storage` under the same relative name.

    A file the storage already holds with the same content is skipped (size, then the S3 ETag or
    the bytes), so a second run copies nothing; one that differs is replaced. Folders in
    `leave_out` (another storage's own, nested in root) and names the storage excludes (the PDFs'
    prefix of a shared bucket) are not walked: their files are counted as "left out". Returns the
    counts {"copied", "skipped", "failed", "left out"}, or None when the storage is that very folder.
    """
    if isinstance(storage, StorageAlias):
        storage = storage.current
    if isinstance(storage, FileSystemStorage) and os.path.realpath(storage.location) == os.path.realpath(root):
        return None
    excludes = getattr(storage, "excludes", lambda name: False)
    leave_out = {os.path.realpath(folder) for folder in leave_out}
    counts = {"copied": 0, "skipped": 0, "failed": 0, "left out": 0}
    names = []
    for folder, dirs, files in os.walk(root):
        for directory in list(dirs):
            path = os.path.join(folder, directory)
            if os.path.realpath(path) in leave_out or excludes(os.path.relpath(path, root).replace(os.sep, "/")):
                dirs.remove(directory)
                counts["left out"] += sum(len(found) for _folder, _dirs, found in os.walk(path))
        names += [os.path.relpath(os.path.join(folder, filename), root).replace(os.sep, "/") for filename in files]
    for name in sorted(names):
        path = os.path.join(root, *name.split("/"))
        if excludes(name):
            counts["left out"] += 1
            continue
        try:
            there = storage.exists(name)
            if there and same_content(storage, name, path):
                counts["skipped"] += 1
                continue
            if not dry_run:
                if there:
                    storage.delete(name)
                with open(path, "rb") as file:
                    saved = storage.save(name, File(file, name=name))
                if saved != name:
                    raise OSError(f"stored as {saved}, not under its own name")
            counts["copied"] += 1
        except OSError as error:  # StorageUnavailable included: the next run retries it
            counts["failed"] += 1
            if on_failure:
                on_failure(name, error)
    return counts


def same_content(storage, name, path):
    if storage.size(name) != os.path.getsize(path):
        return False
    etag = storage.etag(name) if hasattr(storage, "etag") else None
    if etag is not None and "-" not in etag:  # an ETag with "-" (a multipart upload) is no MD5
        with open(path, "rb") as file:
            return hashlib.file_digest(file, "md5").hexdigest() == etag
    if etag is not None:
        return True  # the size alone, rather than downloading the object
    with storage.open(name, "rb") as stored, open(path, "rb") as local:
        while chunk := local.read(CHUNK):
            if stored.read(len(chunk)) != chunk:
                return False
        return not stored.read(1)


def storage_answers(storage):
    """Whether the storage can be used now: a HEAD on an S3 bucket; a writable folder on the disk."""
    if isinstance(storage, StorageAlias):
        storage = storage.current
    if hasattr(storage, "answers"):
        return storage.answers()
    if isinstance(storage, FileSystemStorage):
        location = storage.location
        while not os.path.exists(location):  # made on the first save
            location = os.path.dirname(location)
        return os.path.isdir(location) and os.access(location, os.W_OK | os.X_OK)
    return True  # a backend we know no cheap check for


def storage_status(aliases=("default", "certificates")):
    """ "up" when every storage answers, "down" otherwise (for /healthz)."""
    return "up" if all(storage_answers(storages[alias]) for alias in aliases) else "down"


# Settings


def _number(environ, name, default, kind=float):
    value = environ.get(name, "").strip()
    return kind(value) if value else default


def s3_configured(environ):
    return bool(environ.get("S3_MEDIA_BUCKET", "").strip())


def storages_from_environment(environ, *, private_media_root):
    """STORAGES["default"] (media: Wagtail images and documents) and STORAGES["certificates"]
    (the PDFs: private, never a public URL): S3 when S3_MEDIA_BUCKET is set, the disk otherwise."""
    local = {
        "default": {"BACKEND": LOCAL_BACKEND},
        "certificates": {"BACKEND": LOCAL_BACKEND, "OPTIONS": {"location": private_media_root, "base_url": None}},
    }
    if not s3_configured(environ):
        return local
    media_bucket = environ["S3_MEDIA_BUCKET"].strip()
    private_bucket = environ.get("S3_PRIVATE_BUCKET", "").strip() or media_bucket
    # Sharing the media bucket, the PDFs go under a prefix that its public-read policy leaves out.
    private_prefix = environ.get("S3_PRIVATE_PREFIX", "private" if private_bucket == media_bucket else "").strip("/ ")
    if private_bucket == media_bucket and not private_prefix:
        raise ImproperlyConfigured("S3_PRIVATE_PREFIX may not be empty when the PDFs share the media bucket.")
    endpoint_url = environ.get("S3_ENDPOINT_URL", "").strip() or None
    common = {
        "endpoint_url": endpoint_url,
        "region_name": environ.get("S3_REGION", "").strip() or "us-east-1",
        # Empty: boto3's own chain (an instance role, ~/.aws) finds the credentials.
        "access_key": environ.get("S3_ACCESS_KEY_ID") or None,
        "secret_key": environ.get("S3_SECRET_ACCESS_KEY") or None,
        # An own endpoint (MinIO, Ceph, a provider's) is addressed by path; AWS by bucket host name.
        "addressing_style": environ.get("S3_ADDRESSING_STYLE", "").strip() or ("path" if endpoint_url else "virtual"),
        "connect_timeout": _number(environ, "S3_CONNECT_TIMEOUT", 2.0),
        "read_timeout": _number(environ, "S3_READ_TIMEOUT", 10.0),
        "max_attempts": _number(environ, "S3_MAX_ATTEMPTS", 2, int),
        "file_overwrite": False,  # as on the disk: a new name rather than replacing a file
        "default_acl": None,  # the bucket's policy decides, never a per-object ACL
    }
    media = {
        **common,
        "bucket_name": media_bucket,
        # Images are public content: plain URLs (cacheable, the same in every cached page), read
        # through the bucket policy on images/ and original_images/ only (docs/deployment.md).
        "querystring_auth": False,
        "custom_domain": environ.get("S3_MEDIA_DOMAIN", "").strip() or None,
    }
    if private_bucket == media_bucket:
        # The media storage leaves the PDFs' prefix alone: never listed (a backup would copy them
        # twice), never written (an upload cannot land among them).
        media["excluded_prefix"] = private_prefix
    private = {**common, "bucket_name": private_bucket, "location": private_prefix, "querystring_auth": True}
    return {
        "default": {"BACKEND": S3_BACKEND, "OPTIONS": media},
        "certificates": {"BACKEND": S3_BACKEND, "OPTIONS": private},
    }


def media_origins(environ):
    """Where image URLs point on S3, for the Content-Security-Policy's img-src; [] on the disk."""
    if not s3_configured(environ):
        return []
    if domain := environ.get("S3_MEDIA_DOMAIN", "").strip():
        return [f"https://{domain}"]
    if endpoint := environ.get("S3_ENDPOINT_URL", "").strip():
        parts = urlsplit(endpoint)
        return [f"{parts.scheme}://{parts.netloc}"]
    bucket, region = environ["S3_MEDIA_BUCKET"].strip(), environ.get("S3_REGION", "").strip() or "us-east-1"
    return [f"https://{bucket}.s3.amazonaws.com", f"https://{bucket}.s3.{region}.amazonaws.com"]
