"""The deployment's settings are checked at start: certificate PDFs never in a folder inside the media folder."""

from django.core.checks import Tags, run_checks

import pytest

from ops.checks import certificates_apart_from_media


def on_disk(media, certificates, settings):
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "certificates": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": certificates, "base_url": None},
        },
    }


def test_certificates_inside_the_media_folder_stop_the_start(settings, tmp_path):
    on_disk(tmp_path / "media", tmp_path / "media" / "private", settings)

    [error] = certificates_apart_from_media(None)
    assert error.id == "ops.E001"
    assert str(tmp_path / "media" / "private") in error.msg
    assert "ops.E001" in {message.id for message in run_checks(tags=[Tags.security])}  # registered


@pytest.mark.parametrize(
    "certificates",
    [
        "private_media",  # beside it: the deployment's layout
        "media-private",  # a name that starts like the media folder's is not inside it
    ],
)
def test_certificates_beside_the_media_folder_pass(settings, tmp_path, certificates):
    on_disk(tmp_path / "media", tmp_path / certificates, settings)

    assert certificates_apart_from_media(None) == []


def test_certificates_on_object_storage_are_not_a_folder_to_check(settings, tmp_path):
    on_disk(tmp_path / "media", tmp_path / "media" / "private", settings)
    settings.STORAGES = {**settings.STORAGES, "certificates": {"BACKEND": "ops.s3.S3Storage", "OPTIONS": {}}}

    assert certificates_apart_from_media(None) == []


def test_the_settings_of_the_tests_and_of_development_pass():
    assert certificates_apart_from_media(None) == []
