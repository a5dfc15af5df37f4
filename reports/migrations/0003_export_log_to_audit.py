"""The export log moves down to the audit app, which every app may write to. Its table is renamed
(rows kept) and its content type relabelled (so the permissions groups hold stay theirs)."""

from django.db import migrations


def relabel(old_label, new_label):
    def move_content_type(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        content_types = ContentType.objects.using(schema_editor.connection.alias)
        old = content_types.filter(app_label=old_label, model="exportlog").first()
        if old is None:
            return  # a fresh database: post_migrate creates the content type under its new label
        # Only a database migrated app by app can hold both: the older one keeps its id and grants.
        content_types.filter(app_label=new_label, model="exportlog").delete()
        old.app_label = new_label
        old.save(update_fields=["app_label"])

    return move_content_type


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_roles"),
        ("audit", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable("ExportLog", "audit_exportlog")],
            state_operations=[migrations.DeleteModel("ExportLog")],
        ),
        migrations.RunPython(relabel("reports", "audit"), relabel("audit", "reports")),
    ]
