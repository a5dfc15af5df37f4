"""The apps' floors hold: no module imports a higher app, no app imports the roof, no circle in an app.

Floors, bottom up: ops < audit < accounts < cms < courses < certificates < reports. A higher app may
import a lower one; a lower one that must set off something above says so with a signal. `config/`
(settings, urls, wsgi) is the roof: it wires the apps together and no app imports it. Imports made
inside functions count: they are how a circle hides.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLOORS = ["ops", "audit", "accounts", "cms", "courses", "certificates", "reports"]
ROOF = "config"


def modules_of(root, packages):
    """{dotted module name: path} for every Python file of the given top-level packages."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def imported_names(path, module):
    """Every module name `path` imports, anywhere in the file, with relative imports made absolute."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # `from courses import services` imports the module courses.services.
                yield f"{base}.{alias.name}"
            yield base


def import_graph(root, packages):
    """{module: set of our modules it imports}, each import resolved to the deepest module we have."""
    modules = modules_of(root, packages)
    graph = {}
    for module, path in modules.items():
        targets = set()
        for name in imported_names(path, module):
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        graph[module] = targets
    return graph


def upward_imports(graph, floors=FLOORS, roof=ROOF):
    """(importer, imported) pairs where an app imports a higher floor or the roof."""
    floor = {app: level for level, app in enumerate(floors)}
    found = []
    for module, targets in graph.items():
        app = module.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if other == roof and app != roof or floor.get(other, -1) > floor.get(app, len(floors)):
                found.append((module, target))
    return sorted(found)


def circles_within_apps(graph):
    """Each import circle among the modules of one app, as the list of modules around it."""
    circles, state = [], {}

    def visit(module, trail):
        state[module] = "open"
        trail.append(module)
        app = module.split(".")[0]
        for target in sorted(graph.get(module, ())):
            if target.split(".")[0] != app:
                continue
            if state.get(target) == "open":
                circles.append(trail[trail.index(target) :] + [target])
            elif target not in state:
                visit(target, trail)
        trail.pop()
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [])
    return circles


def is_package_reexport(importer, imported):
    """A package's __init__ importing its own submodules to re-export them (cms.models → cms.models.pages)."""
    return imported.startswith(importer + ".")


@pytest.fixture(scope="module")
def graph():
    return import_graph(ROOT, [*FLOORS, ROOF])


def test_no_app_imports_a_higher_floor_or_the_roof(graph):
    assert upward_imports(graph) == []


def test_no_import_circle_inside_an_app(graph):
    circles = [
        circle
        for circle in circles_within_apps(graph)
        # A package that re-exports its submodules, which import each other through the package,
        # is one module seen from outside; any other pair around the circle is a real circle.
        if not all(
            is_package_reexport(a, b) or is_package_reexport(b, a) for a, b in zip(circle, circle[1:], strict=False)
        )
    ]
    assert circles == []


def test_every_app_has_a_floor():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps == set(FLOORS), "a new app needs its floor in FLOORS (and in docs/architecture.md)"


def test_the_checks_catch_what_they_guard(tmp_path):
    """The checker itself: an upward import, an import of the roof and a circle are all reported."""
    files = {
        "accounts/__init__.py": "",
        "accounts/models.py": "def f():\n    from reports.views import x\n",
        "accounts/forms.py": "from config.settings import base\nfrom accounts import views\n",
        "accounts/views.py": "from .forms import Form\n",
        "reports/__init__.py": "",
        "reports/views.py": "from accounts.models import User\n",
        "config/__init__.py": "",
        "config/settings.py": "from reports import views\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    graph = import_graph(tmp_path, ["accounts", "reports", "config"])
    assert upward_imports(graph) == [("accounts.forms", "config.settings"), ("accounts.models", "reports.views")]
    assert circles_within_apps(graph) == [["accounts.forms", "accounts.views", "accounts.forms"]]
