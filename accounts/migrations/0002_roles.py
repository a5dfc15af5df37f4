"""The staff roles as groups with their Wagtail permissions.

Wagtail's own initial data already creates Editors (add and edit pages) and Moderators (add, edit,
publish, lock pages; images and documents). This adds Managers and Administrators and gives every
role what it needs. Idempotent: running it on a database that has some of this changes nothing else.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ALL_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page", "bulk_delete_page"]


def ensure_permissions_exist(apps):
    # Permissions are normally created after migrate; a data migration has to ask for them.
    for label in ("accounts", "wagtailcore", "wagtailimages", "wagtaildocs", "auth"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True  # the migration state's app stub lacks it
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def permissions(apps, *codenames_by_app):
    Permission = apps.get_model("auth.Permission")
    found = []
    for app_label, codenames in codenames_by_app:
        found += list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
    return found


def create_roles(apps, schema_editor):
    ensure_permissions_exist(apps)
    Group = apps.get_model("auth.Group")
    Page = apps.get_model("wagtailcore.Page")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    Collection = apps.get_model("wagtailcore.Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")
    Permission = apps.get_model("auth.Permission")

    access_admin = permissions(apps, ("wagtailadmin", ["access_admin"]))
    media = [
        ("wagtailimages", ["add_image", "change_image", "delete_image", "choose_image"]),
        ("wagtaildocs", ["add_document", "change_document", "delete_document", "choose_document"]),
    ]
    roles = {
        "Editors": access_admin,
        "Moderators": access_admin,
        "Managers": access_admin
        + permissions(apps, ("accounts", ["view_organisationunit", "view_managerscope"])),
        "Administrators": access_admin
        + permissions(
            apps,
            ("accounts", [f"{action}_{model}" for action in ("add", "change", "delete", "view")
                          for model in ("user", "organisationunit", "managerscope")]),
            ("auth", ["add_group", "change_group", "delete_group", "view_group"]),
        ),
    }
    page_permissions = {
        "Editors": ["add_page", "change_page"],
        "Moderators": ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
        "Administrators": ALL_PAGE_PERMISSIONS,
    }
    root_page = Page.objects.filter(depth=1).first()
    root_collection = Collection.objects.filter(depth=1).first()
    for name, group_permissions in roles.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*group_permissions)
        if root_page is not None:
            for codename in page_permissions.get(name, []):
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root_page, permission=Permission.objects.get(
                        content_type__app_label="wagtailcore", codename=codename)
                )
        if root_collection is not None and name != "Managers":
            for app_label, codenames in media:
                for permission in permissions(apps, (app_label, codenames)):
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=root_collection, permission=permission
                    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
