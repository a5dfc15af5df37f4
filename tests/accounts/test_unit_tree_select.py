"""The unit tree widget: only the units the user sees, nested as the organisation is, with a search
by name that needs no other site; a unit out of reach is a clear error, not a crash."""

import re

from django import forms

import pytest

from accounts.scopes import visible_units
from accounts.widgets import UnitTreeSelect, UnitTreeSelectMultiple
from tests.accounts.factories import ManagerScopeFactory, UserFactory

pytestmark = pytest.mark.django_db


def ward_manager(unit_tree):
    manager = UserFactory(roles=["Managers"])
    ManagerScopeFactory(user=manager, unit=unit_tree["HN-P-HK"])
    return manager


def unit_form(user, widget=UnitTreeSelect, field=forms.ModelChoiceField, data=None):
    extra = {"blank": True, "empty_label": "Mọi đơn vị"} if field is forms.ModelChoiceField else {}

    class UnitForm(forms.Form):
        unit = field(queryset=visible_units(user).order_by("path"), widget=widget, required=False, **extra)

    return UnitForm(data)


def test_the_tree_offers_only_the_units_the_manager_sees(unit_tree):
    html = str(unit_form(ward_manager(unit_tree))["unit"])

    for name in ("Phường Hoàn Kiếm", "Trạm Y tế phường Hoàn Kiếm", "Công an phường Hoàn Kiếm"):
        assert name in html
    for name in ("Thành phố Hà Nội", "Sở Y tế", "Xã Sóc Sơn"):
        assert name not in html
    assert html.count('type="radio"') == 4  # the empty choice and the three units


def test_the_tree_nests_units_under_their_parents(unit_tree):
    administrator = UserFactory(is_superuser=True)

    html = str(unit_form(administrator)["unit"])

    city = html.index('data-unit-name="Thành phố Hà Nội"')
    ward = html.index('data-unit-name="Phường Hoàn Kiếm"')
    police = html.index('data-unit-name="Công an phường Hoàn Kiếm"')
    commune = html.index('data-unit-name="Xã Sóc Sơn"')
    assert city < ward < police < commune
    # The ward's units sit in the ward's own folded list, inside the city's list.
    ward_item = html[ward:commune]
    assert "<details" in ward_item and "2 đơn vị thuộc Phường Hoàn Kiếm" in ward_item
    assert 'name="unit"' in ward_item and ward_item.count("<ul") == 1
    assert html[:city].count("<ul") == 1 and "<details" in html[city:ward]


def test_the_chosen_unit_is_checked_and_its_branch_unfolded(unit_tree):
    administrator = UserFactory(is_superuser=True)
    form = unit_form(administrator, data={"unit": str(unit_tree["HN-P-HK-CA"].pk)})

    html = str(form["unit"])

    checked = re.search(r"<input[^>]*checked[^>]*>", html).group(0)
    assert f'value="{unit_tree["HN-P-HK-CA"].pk}"' in checked
    ward_branch = html[html.index('data-unit-name="Phường Hoàn Kiếm"') :]
    assert re.match(r'[^<]*<label[^>]*>.*?</label>\s*<details class="unit-tree__branch" open>', ward_branch, re.S)


def test_the_search_is_there_for_script_only_and_from_this_site(unit_tree):
    form = unit_form(UserFactory(is_superuser=True))

    html = str(form["unit"])

    assert re.search(r'<div class="unit-tree__search" data-unit-tree-search-box hidden>', html)
    assert 'type="search"' in html and "Tìm đơn vị theo tên" in html
    assert 'aria-live="polite"' in html
    assert re.findall(r'src="([^"]+)"', str(form.media)) == ["/static/js/unit-tree-select.js"]
    assert "http" not in html


def test_the_multiple_tree_has_check_boxes(unit_tree):
    html = str(unit_form(ward_manager(unit_tree), UnitTreeSelectMultiple, forms.ModelMultipleChoiceField)["unit"])

    assert html.count('type="checkbox"') == 3 and 'type="radio"' not in html


@pytest.mark.parametrize("value", ["HN-X-SS", "999999", "abc"])
def test_a_unit_out_of_reach_is_a_clear_error(unit_tree, value):
    value = str(unit_tree[value].pk) if value in unit_tree else value

    form = unit_form(ward_manager(unit_tree), data={"unit": value})

    assert not form.is_valid()
    assert len(form.errors["unit"]) == 1 and form.errors["unit"][0].startswith("Hãy chọn một lựa chọn hợp lệ.")
