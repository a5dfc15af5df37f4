"""Managers and administrators list, change (the due date) and withdraw assignments; assigning is
checked in code (a manager assigns within their scope)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    app_config = apps.get_app_config("courses")
    app_config.models_module = True  # the migration state's app stub lacks it
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    codenames = ["view_assignment", "change_assignment", "delete_assignment"]
    for name in ("Managers", "Administrators"):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="courses", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("courses", "0003_assignments"), ("accounts", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
