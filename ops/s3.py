"""django-storages' S3 backend, failing fast and as an OSError (ops.storage explains why).

A module of its own: boto3 takes half a second to import, paid only by a process whose
STORAGES name this backend, never by the settings or a site on the disk.
"""

import contextlib
import functools
import posixpath

from django.core.exceptions import SuspiciousFileOperation

from botocore.config import Config
from storages.backends.s3 import S3Storage as BaseS3Storage
from storages.utils import clean_name

from ops.storage import StorageUnavailable, botocore_outage


@contextlib.contextmanager
def outage_as_oserror():
    try:
        yield
    except StorageUnavailable:
        raise
    except Exception as error:
        if botocore_outage(error):
            raise StorageUnavailable(f"{type(error).__name__}: {error}") from error
        raise


def client_config(*, connect_timeout, read_timeout, max_attempts, addressing_style):
    return Config(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        # Total attempts, the first included: botocore's default (legacy mode) retries 4 times.
        retries={"total_max_attempts": max_attempts, "mode": "standard"},
        s3={"addressing_style": addressing_style},
        signature_version="s3v4",
    )


class S3Storage(BaseS3Storage):
    """The S3 backend with short timeouts and few attempts (options connect_timeout, read_timeout,
    max_attempts), whose outages are StorageUnavailable.

    excluded_prefix: a prefix of the bucket that belongs to another storage (the certificate PDFs'
    when they share the media bucket). This storage never lists it, and refuses to read, write,
    delete or link a name under it (SuspiciousFileOperation), so the media storage can neither walk
    the PDFs as media (backups, the drill, a restore's "is it empty" check) nor write into them.
    """

    def get_default_settings(self):
        return {
            **super().get_default_settings(),
            "connect_timeout": 2.0,
            "read_timeout": 10.0,
            "max_attempts": 2,
            "excluded_prefix": "",
        }

    def __init__(self, **settings):
        super().__init__(**settings)
        if not settings.get("client_config"):
            self.client_config = client_config(
                connect_timeout=self.connect_timeout,
                read_timeout=self.read_timeout,
                max_attempts=self.max_attempts,
                addressing_style=self.addressing_style,
            )

    def excludes(self, name):
        """Whether the object key `name` lies under excluded_prefix (another storage's part of the bucket)."""
        prefix = self.excluded_prefix.strip("/")
        key = posixpath.normpath("/" + name).lstrip("/")
        return bool(prefix) and (key == prefix or key.startswith(prefix + "/"))

    def _normalize_name(self, name):
        key = super()._normalize_name(name)
        if self.excludes(key):
            raise SuspiciousFileOperation(
                f"{key!r} is under {self.excluded_prefix!r}, which this storage leaves alone."
            )
        return key

    def _open(self, name, mode="rb"):
        with outage_as_oserror():
            return super()._open(name, mode)

    def _save(self, name, content):
        with outage_as_oserror():
            return super()._save(name, content)

    def delete(self, name):
        with outage_as_oserror():
            return super().delete(name)

    def exists(self, name):
        with outage_as_oserror():
            return super().exists(name)

    def listdir(self, name):
        with outage_as_oserror():
            directories, files = super().listdir(name)
        path = self._normalize_name(clean_name(name))
        directories = [folder for folder in directories if not self.excludes(posixpath.join(path, folder))]
        return directories, files

    def size(self, name):
        with outage_as_oserror():
            return super().size(name)

    def get_modified_time(self, name):
        with outage_as_oserror():
            return super().get_modified_time(name)

    def etag(self, name):
        """The object's ETag unquoted: the MD5 of its bytes, unless it was uploaded in parts ("-" in it)."""
        with outage_as_oserror():
            head = self.connection.meta.client.head_object(
                Bucket=self.bucket_name, Key=self._normalize_name(clean_name(name))
            )
        return head["ETag"].strip('"')

    def answers(self):
        """One HEAD on the bucket: one attempt, one-second timeouts (for /healthz)."""
        try:
            self._health_client.head_bucket(Bucket=self.bucket_name)
        except Exception as error:
            if botocore_outage(error):
                return False
            raise
        return True

    @functools.cached_property
    def _health_client(self):
        import boto3

        session = boto3.session.Session(aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key)
        config = client_config(
            connect_timeout=1, read_timeout=1, max_attempts=1, addressing_style=self.addressing_style
        )
        return session.client("s3", endpoint_url=self.endpoint_url, region_name=self.region_name, config=config)
