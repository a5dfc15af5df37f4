"""Name Wagtail's default workflow as the programme calls it: "Moderator approval".

Wagtail's initial data already gives every page of the tree a one-step workflow approved by the
Moderators group; editors (who cannot publish) submit, moderators approve or ask for changes.
"""

from django.db import migrations

OLD_NAME, NEW_NAME = "Moderators approval", "Moderator approval"


def rename(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Group = apps.get_model("auth", "Group")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    Page = apps.get_model("wagtailcore", "Page")
    ContentType = apps.get_model("contenttypes", "ContentType")

    Workflow.objects.filter(name=OLD_NAME).update(name=NEW_NAME)
    Task.objects.filter(name=OLD_NAME).update(name=NEW_NAME)
    if Workflow.objects.filter(name=NEW_NAME).exists():
        return
    # A database without Wagtail's default workflow gets the same one.
    workflow = Workflow.objects.create(name=NEW_NAME, active=True)
    task = GroupApprovalTask.objects.create(
        name=NEW_NAME, active=True,
        content_type=ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")[0],
    )
    task.groups.set(Group.objects.filter(name="Moderators"))
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    root = Page.objects.filter(depth=1).first()
    if root is not None:
        WorkflowPage.objects.get_or_create(page=root, defaults={"workflow": workflow})


class Migration(migrations.Migration):
    dependencies = [("cms", "0002_site_settings_permissions"), ("wagtailcore", "0098_apitoken")]

    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
