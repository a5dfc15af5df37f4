"""The unit tree's arithmetic on OrganisationUnit: subtrees, ancestors and parents from the paths."""

import pytest

from accounts.models import ManagerScope, OrganisationUnit, User
from tests.accounts.factories import ManagerScopeFactory, OrganisationUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def forest(db):
    """Two roots. Paths: a 0001, a1 00010001, a11 000100010001, a2 00010002; b 0002, b1 00020001.

    b1's path holds a's path ("0001") but not at its start: it is not under a.
    """
    a = OrganisationUnitFactory(code="A")
    a1 = OrganisationUnitFactory(code="A1", parent=a)
    a11 = OrganisationUnitFactory(code="A11", parent=a1)
    a2 = OrganisationUnitFactory(code="A2", parent=a)
    b = OrganisationUnitFactory(code="B")
    b1 = OrganisationUnitFactory(code="B1", parent=b)
    units = {unit.code: unit for unit in (a, a1, a11, a2, b, b1)}
    for unit in units.values():
        unit.refresh_from_db()
    assert [units[code].path for code in ("A", "A1", "A11", "A2", "B", "B1")] == [
        "0001",
        "00010001",
        "000100010001",
        "00010002",
        "0002",
        "00020001",
    ]
    return units


def codes(queryset):
    return sorted(queryset.values_list("code", flat=True))


def test_a_units_subtree_holds_itself_and_everything_under_it_and_nothing_else(forest):
    assert codes(OrganisationUnit.objects.below([forest["A"]])) == ["A", "A1", "A11", "A2"]
    assert codes(OrganisationUnit.objects.below([forest["A1"]])) == ["A1", "A11"]
    assert codes(OrganisationUnit.objects.below([forest["A11"]])) == ["A11"]
    # The same units as treebeard's own walk of the tree.
    for unit in forest.values():
        assert codes(OrganisationUnit.objects.below([unit])) == sorted(u.code for u in OrganisationUnit.get_tree(unit))


def test_a_subtree_leaves_out_siblings_and_paths_that_share_characters_but_not_steps(forest):
    # A2 (00010002) and A1 (00010001) share "0001000", B (0002) shares "000" with A (0001).
    assert "A2" not in codes(OrganisationUnit.objects.below([forest["A1"]]))
    assert "B" not in codes(OrganisationUnit.objects.below([forest["A"]]))
    # B1's path "00020001" ends in A's path "0001".
    assert "B1" not in codes(OrganisationUnit.objects.below(["0001"]))


def test_below_takes_several_units_or_paths_and_each_unit_comes_once(forest):
    assert codes(OrganisationUnit.objects.below([forest["A1"], forest["B"]])) == ["A1", "A11", "B", "B1"]
    assert codes(OrganisationUnit.objects.below(["0001", "0002"])) == ["A", "A1", "A11", "A2", "B", "B1"]
    assert codes(OrganisationUnit.objects.below([forest["A"], forest["A1"]])) == ["A", "A1", "A11", "A2"]


def test_below_nothing_is_no_unit(forest):
    assert codes(OrganisationUnit.objects.below([])) == []
    assert codes(OrganisationUnit.objects.below(OrganisationUnit.objects.none())) == []
    assert codes(OrganisationUnit.objects.below([""])) == []  # an empty path is not the whole tree


def test_subtree_q_filters_another_model_through_its_unit(forest):
    in_a1 = UserFactory(unit=forest["A1"])
    in_a11 = UserFactory(unit=forest["A11"])
    in_a2 = UserFactory(unit=forest["A2"])
    in_b1 = UserFactory(unit=forest["B1"])
    UserFactory(unit=None)

    def emails(queryset):
        return sorted(queryset.values_list("email", flat=True))

    assert emails(User.objects.filter(OrganisationUnit.subtree_q([forest["A1"]]))) == emails(
        User.objects.filter(pk__in=[in_a1.pk, in_a11.pk])
    )
    assert emails(User.objects.filter(OrganisationUnit.subtree_q(["00010002", forest["B"]]))) == emails(
        User.objects.filter(pk__in=[in_a2.pk, in_b1.pk])
    )
    assert not User.objects.filter(OrganisationUnit.subtree_q([])).exists()

    scope = ManagerScopeFactory(user=in_a11, unit=forest["B"])
    ManagerScopeFactory(user=in_b1, unit=forest["A"])
    assert list(ManagerScope.objects.filter(OrganisationUnit.subtree_q([forest["A"]], field="user__unit"))) == [scope]


def test_subtree_q_with_no_field_is_a_condition_on_units(forest):
    assert codes(OrganisationUnit.objects.exclude(OrganisationUnit.subtree_q([forest["A1"]], field=""))) == [
        "A",
        "A2",
        "B",
        "B1",
    ]


def test_ancestor_paths_run_from_the_top_down_to_the_unit_itself(forest):
    assert forest["A"].ancestor_paths() == ["0001"]
    assert forest["A11"].ancestor_paths() == ["0001", "00010001", "000100010001"]
    assert forest["B1"].ancestor_paths() == ["0002", "00020001"]
    for unit in forest.values():
        assert unit.ancestor_paths() == [u.path for u in unit.get_ancestors()] + [unit.path]
    assert OrganisationUnit.ancestor_paths_of("") == []


def test_a_parent_path_is_the_parents_and_empty_for_a_root(forest):
    assert forest["A"].parent_path == ""
    assert forest["B"].parent_path == ""
    assert forest["A11"].parent_path == forest["A1"].path
    assert forest["B1"].parent_path == forest["B"].path
    assert OrganisationUnit.parent_path_of("00010002") == "0001"


def test_path_is_below_says_in_python_what_below_says_in_the_database(forest):
    for top in forest.values():
        for unit in forest.values():
            expected = OrganisationUnit.objects.below([top]).filter(pk=unit.pk).exists()
            assert OrganisationUnit.path_is_below(unit.path, [top]) is expected
            assert OrganisationUnit.path_is_below(unit.path, [top.path]) is expected
    assert OrganisationUnit.path_is_below("00020001", ["00010001", "0002"])
    assert not OrganisationUnit.path_is_below("0001", [])
    assert not OrganisationUnit.path_is_below("", ["0001"])
    assert not OrganisationUnit.path_is_below("0001", [""])
