"""The organisation tree: CSV import (all or nothing), the admin, and who may see which units."""

from django.core.management import CommandError, call_command

import pytest

from accounts.models import OrganisationUnit
from accounts.scopes import visible_units
from accounts.unit_import import UnitImportError, import_units
from tests.accounts.factories import ManagerScopeFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD_CSV = """code,name,parent_code,type
HN,Thành phố Hà Nội,,city
HN-SYT,Sở Y tế,HN,department
HN-P-HK-TYT,Trạm Y tế phường Hoàn Kiếm,HN-P-HK,unit
HN-P-HK,Phường Hoàn Kiếm,HN,ward
"""


def tree():
    return sorted(
        (unit.code, unit.get_parent().code if unit.depth > 1 else "") for unit in OrganisationUnit.objects.all()
    )


def test_import_builds_the_tree_even_when_children_come_before_parents():
    summary = import_units(GOOD_CSV.encode())

    assert len(summary.created) == 4
    assert tree() == [("HN", ""), ("HN-P-HK", "HN"), ("HN-P-HK-TYT", "HN-P-HK"), ("HN-SYT", "HN")]
    assert OrganisationUnit.objects.get(code="HN-P-HK").type == "ward"


def test_importing_the_same_file_again_changes_nothing():
    import_units(GOOD_CSV.encode())
    before = list(OrganisationUnit.objects.values_list("code", "name", "path", "type"))

    summary = import_units(GOOD_CSV.encode())

    assert summary.created == [] and summary.updated == [] and summary.unchanged == 4
    assert list(OrganisationUnit.objects.values_list("code", "name", "path", "type")) == before


def test_a_later_file_renames_and_moves_units():
    import_units(GOOD_CSV.encode())

    import_units(b"code,name,parent_code,type\nHN-P-HK-TYT,Tram Y te moi,HN-SYT,unit\n")

    unit = OrganisationUnit.objects.get(code="HN-P-HK-TYT")
    assert unit.name == "Tram Y te moi"
    assert unit.get_parent().code == "HN-SYT"
    assert OrganisationUnit.objects.get(code="HN-P-HK").numchild == 0


def test_a_utf8_bom_is_read_correctly():
    import_units("\ufeff".encode() + GOOD_CSV.encode())

    assert OrganisationUnit.objects.get(code="HN").name == "Thành phố Hà Nội"


@pytest.mark.parametrize(
    ("csv_text", "expected"),
    [
        (
            "code,name,parent_code,type\nA,Một,,city\nB,Hai,KHONG-CO,unit\n",
            "Dòng 3: mã đơn vị cấp trên KHONG-CO không có",
        ),
        ("code,name,parent_code,type\nA,Một,,city\nA,Hai,,unit\n", "Dòng 3: mã A đã dùng ở dòng 2."),
        (
            "code,name,parent_code,type\nA,Một,B,unit\nB,Hai,A,unit\n",
            "Dòng 2: đơn vị A sẽ trở thành cấp trên của chính nó",
        ),
        ("code,name,parent_code,type\nA,   ,,city\n", "Dòng 2: tên đang để trống."),
        ("code,name,parent_code,type\n,Một,,city\n", "Dòng 2: mã đang để trống."),
        ("code,name,parent_code,type\nA,Một,,tinh\n", "Dòng 2: loại “tinh” không hợp lệ"),
        ("code,name,parent_code,type\nA,Một\n", "Dòng 2: cần 4 giá trị, tệp có 2."),
        ("ma,ten,cap_tren,loai\nA,Một,,city\n", "Dòng 1: các cột phải đúng là code,name,parent_code,type"),
        ("", "Dòng 1: các cột phải đúng là"),
    ],
)
def test_a_bad_file_is_reported_with_line_numbers_and_nothing_is_written(csv_text, expected):
    with pytest.raises(UnitImportError) as raised:
        import_units(csv_text.encode())

    assert any(expected in error for error in raised.value.errors), raised.value.errors
    assert OrganisationUnit.objects.count() == 0


def test_a_bad_row_stops_the_good_rows_too():
    with pytest.raises(UnitImportError):
        import_units(b"code,name,parent_code,type\nA,Mot,,city\nB,Hai,A,unit\nC,,A,unit\n")

    assert OrganisationUnit.objects.count() == 0


def test_a_cycle_through_existing_units_is_refused():
    import_units(GOOD_CSV.encode())

    with pytest.raises(UnitImportError) as raised:
        import_units(b"code,name,parent_code,type\nHN,Ha Noi,HN-P-HK-TYT,city\n")

    assert "HN" in raised.value.errors[0]
    assert OrganisationUnit.objects.get(code="HN").depth == 1


def test_a_file_that_is_not_utf8_gets_a_clear_message():
    with pytest.raises(UnitImportError) as raised:
        import_units(GOOD_CSV.encode("utf-16"))

    assert raised.value.errors == ["Tệp không phải văn bản UTF-8. Hãy lưu lại dưới dạng “CSV UTF-8” rồi thử lại."]


def test_the_command_reports_the_outcome(tmp_path, capsys):
    good = tmp_path / "units.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")

    call_command("import_units", str(good))
    assert "Đơn vị tạo mới: 4, cập nhật: 0, không đổi: 0." in capsys.readouterr().out

    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,parent_code,type\nX,,HN,unit\n", encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("import_units", str(bad))
    assert "Chưa nhập dữ liệu nào" in str(raised.value) and "Dòng 2: tên đang để trống." in str(raised.value)
    assert OrganisationUnit.objects.count() == 4


def test_the_command_explains_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Không đọc được tệp"):
        call_command("import_units", str(tmp_path / "khong-co.csv"))


def codes(queryset):
    return sorted(queryset.values_list("code", flat=True))


def test_a_ward_manager_sees_the_ward_and_everything_below_it(unit_tree):
    manager = ManagerScopeFactory(unit=unit_tree["HN-P-HK"]).user

    assert codes(visible_units(manager)) == ["HN-P-HK", "HN-P-HK-CA", "HN-P-HK-TYT"]


def test_a_unit_manager_sees_only_that_unit(unit_tree):
    manager = ManagerScopeFactory(unit=unit_tree["HN-P-HK-TYT"]).user

    assert codes(visible_units(manager)) == ["HN-P-HK-TYT"]


def test_a_manager_with_two_scopes_sees_both_subtrees(unit_tree):
    manager = ManagerScopeFactory(unit=unit_tree["HN-SYT"]).user
    ManagerScopeFactory(user=manager, unit=unit_tree["HN-X-SS"])

    assert codes(visible_units(manager)) == ["HN-SYT", "HN-X-SS"]


def test_a_city_manager_and_an_administrator_see_every_unit(unit_tree):
    city_manager = ManagerScopeFactory(unit=unit_tree["HN"]).user
    administrator = UserFactory(roles=["Administrators"])

    assert codes(visible_units(city_manager)) == sorted(unit_tree)
    assert codes(visible_units(administrator)) == sorted(unit_tree)


def test_a_learner_and_an_editor_see_no_unit(unit_tree):
    assert codes(visible_units(UserFactory(unit=unit_tree["HN-P-HK-TYT"]))) == []
    assert codes(visible_units(UserFactory(roles=["Editors"]))) == []


def test_scopes_are_one_query(unit_tree, django_assert_num_queries):
    manager = ManagerScopeFactory(unit=unit_tree["HN-P-HK"]).user
    ManagerScopeFactory(user=manager, unit=unit_tree["HN-SYT"])
    manager = type(manager).objects.get(pk=manager.pk)

    with django_assert_num_queries(3):  # is superuser? groups; scope paths; the units
        list(visible_units(manager))


def test_importing_an_unchanged_file_reads_the_tree_a_fixed_number_of_times(django_assert_max_num_queries):
    import_units(GOOD_CSV.encode())

    with django_assert_max_num_queries(6):
        import_units(GOOD_CSV.encode())
