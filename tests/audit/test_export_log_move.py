"""The export log moved from reports to audit: a database with rows and grants keeps both."""

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

import pytest

from audit.models import ExportLog
from tests.accounts.factories import UserFactory

# Migrations run outside a test transaction; the flush afterwards keeps the data migrations' groups.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("reports", "0002_roles"), ("audit", None)]
AFTER = [("reports", "0003_export_log_to_audit"), ("audit", "0001_initial")]


def migrate(targets):
    """Migrate to the targets; the models as they stand there."""
    executor = MigrationExecutor(connection)
    # ContentType's cache is left as it is: the move ends where the test database began, and the
    # flush's reload of that database would trip over content types a cold cache creates anew.
    executor.migrate(targets)
    return executor.loader.project_state([target for target in targets if target[1]]).apps


@pytest.fixture(autouse=True)
def back_to_the_latest_migrations():
    """Later migrations of reports (its own tables since) must be there again for the tests after."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_rows_and_the_administrators_grant_survive_the_move():
    exporter = UserFactory()
    old_apps = migrate(BEFORE)
    OldExportLog = old_apps.get_model("reports", "ExportLog")
    OldExportLog.objects.create(
        user_id=exporter.pk, report="completion_records", export_format="csv", filters={"unit": "7"}, row_count=12
    )
    assert Group.objects.get(name="Administrators").permissions.filter(content_type__app_label="reports").exists()

    migrate(AFTER)

    log = ExportLog.objects.get()
    assert (log.user, log.report, log.filters, log.row_count) == (exporter, "completion_records", {"unit": "7"}, 12)
    administrators = Group.objects.get(name="Administrators")
    assert [
        f"{p.content_type.app_label}.{p.codename}" for p in administrators.permissions.filter(codename="view_exportlog")
    ] == ["audit.view_exportlog"]
    assert not ContentType.objects.filter(app_label="reports", model="exportlog").exists()


def test_a_fresh_database_grants_the_administrators_the_export_log():
    administrators = Group.objects.get(name="Administrators")

    assert administrators.permissions.filter(content_type__app_label="audit", codename="view_exportlog").exists()
    assert ExportLog._meta.db_table == "audit_exportlog"
