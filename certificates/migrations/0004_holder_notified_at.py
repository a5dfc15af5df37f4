from django.db import migrations, models
from django.db.models import F


def mark_rendered_as_notified(apps, schema_editor):
    # Before this field the e-mail went out right after the PDF was stored: whoever has a PDF was
    # told (when it was issued, as near as we know), and must not be mailed again by the safety net.
    Certificate = apps.get_model("certificates", "Certificate")
    Certificate.objects.exclude(pdf="").update(holder_notified_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0003_revoked_by"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="holder_notified_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="holder notified at"),
        ),
        migrations.RunPython(mark_rendered_as_notified, migrations.RunPython.noop),
    ]
