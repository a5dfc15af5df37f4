"""The export log, moved here from reports: this migration takes over the model's state only; the
table, its rows and its permissions move in reports 0003_export_log_to_audit."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ExportLog",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="exported at")),
                        ("report", models.CharField(max_length=100, verbose_name="report")),
                        ("export_format", models.CharField(max_length=10, verbose_name="format")),
                        ("filters", models.JSONField(blank=True, default=dict, verbose_name="filters")),
                        (
                            "row_count",
                            models.PositiveIntegerField(
                                blank=True, help_text="Empty until finished.", null=True, verbose_name="rows"
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="exported by",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "export",
                        "verbose_name_plural": "export log",
                        "ordering": ["-created_at"],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
