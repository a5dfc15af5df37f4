"""Managers list the certificates of their scope; administrators also edit the certificate settings.

Revoking and re-issuing are checked in code (administrators only): nobody edits a certificate.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    app_config = apps.get_app_config("certificates")
    app_config.models_module = True  # the migration state's app stub lacks it
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    grants = {
        "Managers": ["view_certificate"],
        "Administrators": ["view_certificate", "change_certificatesettings"],
    }
    for name, codenames in grants.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="certificates", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [("certificates", "0001_initial"), ("accounts", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
