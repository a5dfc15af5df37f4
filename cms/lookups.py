"""A number the database cannot hold matches no row, through every lookup that takes user input.

Django's own IntegerField lookups (exact and the comparisons) already answer "no match" for such a
number; `in`, and exact through a foreign key (a page type's `page_ptr`, a chooser's value), still
hand it to the driver, and SQLite's raises OverflowError: `?course=99999999999999999999` in a
report filter, a chooser or an admin form was a 500. PostgreSQL compares such a number and finds
nothing, which is the answer these lookups now give everywhere.
"""

from django.core.exceptions import EmptyResultSet, FieldError
from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
from django.db.models.lookups import In


def integer_range(field, connection):
    """(lowest, highest) the column of `field` holds, following foreign keys; None if not an integer."""
    try:
        while field is not None and field.is_relation:
            field = field.target_field
    except FieldError:  # a foreign key over several columns
        return None
    internal_type = field.get_internal_type() if field is not None else None
    if internal_type not in connection.ops.integer_field_ranges:
        return None
    return connection.ops.integer_field_range(internal_type)


def fits(value, value_range):
    if value_range is None or not isinstance(value, int) or isinstance(value, bool):
        return True
    lowest, highest = value_range
    return (lowest is None or value >= lowest) and (highest is None or value <= highest)


class DropOutOfRangeMixin:
    """`in`: leave out the numbers no row can have (an empty list then matches nothing, as in Django)."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            value_range = integer_range(getattr(self.lhs, "output_field", None), connection)
            self.rhs = [value for value in self.rhs if fits(value, value_range)]
        return super().process_rhs(compiler, connection)


class IntegerIn(DropOutOfRangeMixin, In):
    pass


class RelatedIntegerIn(DropOutOfRangeMixin, RelatedIn):
    pass


class RelatedIntegerExact(RelatedExact):
    def process_rhs(self, compiler, connection):
        value_range = integer_range(getattr(self.lhs, "output_field", None), connection)
        if self.rhs_is_direct_value() and not fits(self.rhs, value_range):
            raise EmptyResultSet
        return super().process_rhs(compiler, connection)


def install():
    IntegerField.register_lookup(IntegerIn)
    ForeignObject.register_lookup(RelatedIntegerIn)
    ForeignObject.register_lookup(RelatedIntegerExact)
