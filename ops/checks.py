"""System checks of the deployment's settings: mistakes that would otherwise show only in production."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register

from ops.storage import LOCAL_BACKEND


def local_location(alias):
    """The folder of a storage kept on the disk, or None for any other backend (S3)."""
    config = settings.STORAGES.get(alias, {})
    if config.get("BACKEND") != LOCAL_BACKEND:
        return None
    location = config.get("OPTIONS", {}).get("location") or settings.MEDIA_ROOT
    return Path(location).resolve()


@register(Tags.security)
def certificates_apart_from_media(app_configs, **kwargs):
    """Certificate PDFs in a folder inside the media folder would be walked as media (backups and
    moves copy them twice) and sit under the web server's /media/ root: refuse to start."""
    media, certificates = local_location("default"), local_location("certificates")
    if media is None or certificates is None or not certificates.is_relative_to(media):
        return []
    return [
        Error(
            f"The certificates' folder ({certificates}) is inside the media folder ({media}).",
            hint="Set PRIVATE_MEDIA_ROOT to a folder outside MEDIA_ROOT, e.g. /srv/gbv/private_media.",
            id="ops.E001",
        )
    ]
