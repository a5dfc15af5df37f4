"""Form widgets for choosing units: the organisation tree as nested radio buttons (or check boxes),
with a search by name.

Without JavaScript the widget is a plain set of radio buttons (or check boxes) nested as the tree
is; static/js/unit-tree-select.js adds the search field, which hides the units whose name (or
whose descendants' names) do not match. The choices are the field's queryset: give it
accounts.scopes.visible_units(user) so a user is only offered the units they may see.
"""

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext

from accounts.models import OrganisationUnit


class UnitTreeSelect(forms.RadioSelect):
    """One unit out of the tree (a ModelChoiceField's widget); the empty choice comes first."""

    template_name = "accounts/widgets/unit_tree_select.html"
    option_template_name = "django/forms/widgets/radio_option.html"
    # Branches deeper than this start folded (the chosen unit's branch is always unfolded).
    open_depth = 2

    class Media:
        css = {"all": ["css/unit-tree-select.css"]}
        js = ["js/unit-tree-select.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        options = [
            option for _group, group_options, _index in context["widget"]["optgroups"] for option in group_options
        ]
        context["widget"]["empty_options"], tree = self.unit_tree(options)
        context["widget"]["tree_html"] = mark_safe("".join(map(node_html, tree)))  # noqa: S308 - every text escaped
        context["widget"]["search_id"] = f"{context['widget']['attrs'].get('id') or name}-search"
        return context

    def unit_tree(self, options):
        """(options without a unit, [node]) where a node is {option, unit, children, open}: the
        options nested by their units' tree paths. A unit whose parent is not offered (the top of a
        manager's scope) is a top node."""
        empty, nodes, tops = [], {}, []
        for option in options:
            unit = getattr(option["value"], "instance", None)
            if not isinstance(unit, OrganisationUnit):
                empty.append(option)
                continue
            node = {"option": option, "unit": unit, "children": [], "open": False}
            nodes[unit.path] = node
            parent = nodes.get(unit.parent_path)
            (parent["children"] if parent else tops).append(node)
        top_depth = min((node["unit"].depth for node in tops), default=1)
        for path, node in nodes.items():
            node["open"] = node["unit"].depth - top_depth < self.open_depth - 1
            if node["option"]["selected"]:  # unfold the way to a chosen unit
                for ancestor in OrganisationUnit.ancestor_paths_of(path)[:-1]:
                    if ancestor in nodes:
                        nodes[ancestor]["open"] = True
        return empty, tops


class UnitTreeSelectMultiple(UnitTreeSelect):
    """Several units out of the tree (a ModelMultipleChoiceField's widget)."""

    allow_multiple_selected = True
    input_type = "checkbox"
    option_template_name = "django/forms/widgets/checkbox_option.html"

    def use_required_attribute(self, initial):
        return False  # as CheckboxSelectMultiple: "required" on each box would require every one

    def value_omitted_from_data(self, data, files, name):
        return False


# The tree is written in Python, every text escaped: a city has hundreds of units, and a template
# for each (with Django's three templates per option) made the unit filter a third of a report
# page's time.


def node_html(node):
    """A unit's item: its option, then its children folded under a summary."""
    name = conditional_escape(node["unit"].name)
    branch = ""
    if children := node["children"]:
        count = len(children)
        summary = ngettext("%(counter)s unit under %(name)s", "%(counter)s units under %(name)s", count) % {
            "counter": count,
            "name": node["unit"].name,
        }
        branch = (
            f'<details class="unit-tree__branch"{" open" if node["open"] else ""}><summary>{conditional_escape(summary)}</summary>'
            f'<ul class="unit-tree__list">{"".join(map(node_html, children))}</ul></details>'
        )
    return f'<li class="unit-tree__item" data-unit-name="{name}">{option_html(node["option"])}{branch}</li>'


def option_html(option):
    """An option as Django's input_option.html writes it (a radio button or a check box, in its label)."""
    attrs = "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in option["attrs"].items()
        if value is not False
    )
    value = "" if option["value"] is None else f' value="{conditional_escape(option["value"])}"'
    html = (
        f'<input type="{conditional_escape(option["type"])}" name="{conditional_escape(option["name"])}"{value}{attrs}>'
    )
    if option["wrap_label"]:
        label_for = f' for="{conditional_escape(option["attrs"]["id"])}"' if option["attrs"].get("id") else ""
        html = f"<label{label_for}>{html} {conditional_escape(option['label'])}</label>"
    return html
