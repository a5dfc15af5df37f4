"""Import the organisation tree from CSV (code,name,parent_code,type), all or nothing."""

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import OrganisationUnit

COLUMNS = ["code", "name", "parent_code", "type"]
CODE_MAX_LENGTH = OrganisationUnit._meta.get_field("code").max_length
NAME_MAX_LENGTH = OrganisationUnit._meta.get_field("name").max_length
# A unit's tree path holds `steplen` characters per level and has room for this many levels.
MAX_DEPTH = OrganisationUnit._meta.get_field("path").max_length // OrganisationUnit.steplen


class UnitImportError(Exception):
    """The file cannot be imported; `errors` lists every problem found, with line numbers."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class UnitRow:
    line: int
    code: str
    name: str
    parent_code: str
    type: str


@dataclass
class ImportSummary:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: int = 0


def read_rows(raw_bytes):
    """Decode and parse the file; a UTF-8 byte-order mark is accepted and dropped."""
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnitImportError([_("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return parse_rows(reader)
    except csv.Error:
        # A malformed line (a field past the csv module's size limit, say): said, never a crash.
        raise UnitImportError(
            [_("Line %(line)d: the line cannot be read as CSV.") % {"line": reader.line_num}]
        ) from None


def parse_rows(reader):
    header = next(reader, None)
    if header is None or [column.strip().lower() for column in header] != COLUMNS:
        raise UnitImportError(
            [
                _("Line 1: the columns must be exactly %(expected)s; found %(found)s.")
                % {"expected": ",".join(COLUMNS), "found": ",".join(header or []) or _("nothing")}
            ]
        )
    rows = []
    errors = []
    for line_number, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(COLUMNS):
            errors.append(
                _("Line %(line)d: expected %(expected)d values, found %(found)d.")
                % {"line": line_number, "expected": len(COLUMNS), "found": len(values)}
            )
            continue
        code, name, parent_code, unit_type = (value.strip() for value in values)
        if any(holds_control_character(value) for value in (code, name, parent_code, unit_type)):
            errors.append(
                _("Line %(line)d: a value holds a control character (such as NUL or a tab).") % {"line": line_number}
            )
            continue
        rows.append(UnitRow(line_number, code, name, parent_code, unit_type or OrganisationUnit.Type.UNIT))
    return rows, errors


def holds_control_character(value):
    return any(unicodedata.category(character) == "Cc" for character in value)


def existing_parent_codes():
    """{code: parent code} of the units already stored, in one query."""
    code_by_path = dict(OrganisationUnit.objects.values_list("path", "code"))
    return {code: code_by_path.get(OrganisationUnit.parent_path_of(path), "") for path, code in code_by_path.items()}


def validate(rows, errors):
    """Every problem of the file at once, so one correction round is enough."""
    valid_types = set(OrganisationUnit.Type.values)
    existing_parents = existing_parent_codes()
    known_codes = {row.code for row in rows} | set(existing_parents)
    seen = {}
    for row in rows:
        if not row.code:
            errors.append(_("Line %(line)d: the code is empty.") % {"line": row.line})
        elif row.code in seen:
            errors.append(
                _("Line %(line)d: the code %(code)s is already used on line %(first)d.")
                % {"line": row.line, "code": row.code, "first": seen[row.code].line}
            )
        else:
            seen[row.code] = row
        if not row.name:
            errors.append(_("Line %(line)d: the name is empty.") % {"line": row.line})
        if len(row.code) > CODE_MAX_LENGTH:
            errors.append(
                _("Line %(line)d: the code is longer than %(limit)d characters.")
                % {"line": row.line, "limit": CODE_MAX_LENGTH}
            )
        if len(row.name) > NAME_MAX_LENGTH:
            errors.append(
                _("Line %(line)d: the name is longer than %(limit)d characters.")
                % {"line": row.line, "limit": NAME_MAX_LENGTH}
            )
        if row.type not in valid_types:
            errors.append(
                _("Line %(line)d: unknown type “%(type)s”; use one of %(types)s.")
                % {"line": row.line, "type": row.type, "types": ", ".join(sorted(valid_types))}
            )
        if row.parent_code and row.parent_code not in known_codes:
            errors.append(
                _("Line %(line)d: the parent code %(parent)s is neither in the file nor an existing unit.")
                % {"line": row.line, "parent": row.parent_code}
            )
    parent_of = dict(existing_parents)
    parent_of.update({row.code: row.parent_code for row in seen.values()})
    for row in seen.values():
        if in_cycle(row.code, parent_of):
            errors.append(
                _("Line %(line)d: the unit %(code)s would be its own ancestor.") % {"line": row.line, "code": row.code}
            )
        elif depth_of(row.code, parent_of) > MAX_DEPTH:
            errors.append(
                _("Line %(line)d: the unit %(code)s would lie more than %(depth)d levels deep.")
                % {"line": row.line, "code": row.code, "depth": MAX_DEPTH}
            )
    if errors:
        raise UnitImportError(errors)
    return list(seen.values())


def in_cycle(code, parent_of):
    visited = set()
    current = parent_of.get(code, "")
    while current and current not in visited:
        if current == code:
            return True
        visited.add(current)
        current = parent_of.get(current, "")
    return False


def depth_of(code, parent_of):
    """1 for a root unit; counts up to MAX_DEPTH + 1 at most (the caller has ruled out cycles)."""
    depth, current = 1, parent_of.get(code, "")
    while current and depth <= MAX_DEPTH:
        depth += 1
        current = parent_of.get(current, "")
    return depth


def parents_first(rows):
    """Order rows so that each parent in the file comes before its children."""
    by_code = {row.code: row for row in rows}
    ordered, placed = [], set()

    def place(row):
        if row.code in placed:
            return
        if row.parent_code in by_code:
            place(by_code[row.parent_code])
        placed.add(row.code)
        ordered.append(row)

    for row in rows:
        place(row)
    return ordered


@transaction.atomic
def import_units(raw_bytes):
    """Create or update the units of the file; raise UnitImportError and write nothing on any bad row."""
    rows, errors = read_rows(raw_bytes)
    rows = validate(rows, errors)
    summary = ImportSummary()
    # What is stored, read once: a file that changes nothing costs two queries, not three a row.
    stored = {unit.code: (unit.name, unit.type) for unit in OrganisationUnit.objects.all()}
    stored_parents = existing_parent_codes()
    for row in parents_first(rows):
        if stored.get(row.code) == (row.name, row.type) and stored_parents[row.code] == row.parent_code:
            summary.unchanged += 1
            continue
        unit = OrganisationUnit.objects.filter(code=row.code).first()
        # Fetched afresh: a node's path or child count changes as units are added or moved.
        parent = OrganisationUnit.objects.get(code=row.parent_code) if row.parent_code else None
        if unit is None:
            fields = {"code": row.code, "name": row.name, "type": row.type}
            if parent is None:
                OrganisationUnit.add_root(**fields)
            else:
                parent.add_child(**fields)
            summary.created.append(row.code)
            continue
        if stored_parents[row.code] != row.parent_code:
            if parent is None:
                unit.move(OrganisationUnit.get_last_root_node(), "last-sibling")
            else:
                unit.move(parent, "last-child")
            unit.refresh_from_db()
        unit.name, unit.type = row.name, row.type
        unit.save(update_fields=["name", "type"])
        summary.updated.append(row.code)
    return summary
