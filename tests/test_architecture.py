"""The layout the code keeps: what lives in which kind of file."""

import ast
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent


def project_apps():
    """Our own apps (those inside the repository), not Django's, Wagtail's or allauth's."""
    return [config for config in apps.get_app_configs() if Path(config.path).resolve().parent == ROOT]


def test_the_project_apps_are_found():
    assert {"accounts", "cms", "courses", "certificates", "reports"} <= {config.label for config in project_apps()}


def test_wagtail_hooks_only_register():
    """Admin code lives in each app's viewsets.py; wagtail_hooks.py registers what it imports from there."""
    classes = []
    for config in project_apps():
        hooks_file = Path(config.path) / "wagtail_hooks.py"
        if hooks_file.exists():
            tree = ast.parse(hooks_file.read_text(), filename=str(hooks_file))
            classes += [
                f"{config.label}/wagtail_hooks.py: class {node.name}"
                for node in ast.walk(tree)
                if isinstance(node, ast.ClassDef)
            ]
    assert classes == []


def test_no_admin_views_module():
    """Admin views belong in the app's viewsets.py, not in a second kind of file."""
    assert [
        str(path.relative_to(ROOT)) for config in project_apps() for path in Path(config.path).rglob("admin_views.py")
    ] == []
