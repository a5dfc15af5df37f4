"""Dates one way: one format per context, for every date a learner or a manager reads.

- prose (a sentence on a page, an e-mail, the certificate PDF): the active language's DATE_FORMAT
  from cms/formats, "ngày 5 tháng 3 năm 2026" in Vietnamese, "5 March 2026" in English;
- tables (lists on /my/, the admin's report and list columns): "05/03/2026" in every language;
- exports (CSV, XLSX, the export log): ISO 8601, "2026-03-05" for a date and
  "2026-03-05T14:30:00+07:00" for a moment.

A moment (an aware datetime) is first seen in the site's time zone (settings.TIME_ZONE,
Asia/Ho_Chi_Minh), whatever time zone a request may have activated: 23:30 UTC on the 4th is the 5th
in Hanoi. A naive datetime is taken as already in the site's time zone. No date is ever shown
relative to now ("2 days ago"): a due date read a week later must still say which day it is.
None (or "", as a missing cell) gives "".
"""

import datetime

from django.utils import formats, timezone

TABLE_FORMAT = "d/m/Y"


def _in_site_zone(value):
    """The value as the site's clock shows it: an aware datetime converted, anything else as it is."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value, timezone.get_default_timezone())
    return value


def _day(value):
    """The calendar day of a date or datetime, in the site's time zone."""
    value = _in_site_zone(value)
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raise TypeError(f"a date or datetime is expected, not {type(value).__name__}")


def prose_date(value):
    """The day as a sentence writes it in the active language: "ngày 5 tháng 3 năm 2026"."""
    if value is None or value == "":
        return ""
    return formats.date_format(_day(value), "DATE_FORMAT")


def table_date(value):
    """The day as a table cell shows it, in every language: "05/03/2026"."""
    if value is None or value == "":
        return ""
    return formats.date_format(_day(value), TABLE_FORMAT)


def export_date(value):
    """ISO 8601: "2026-03-05" for a date, "2026-03-05T14:30:00+07:00" for a datetime (to the second,
    with the site's offset)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        # An export calls this twice a row for 100,000 rows: a moment already on the site's clock
        # (as reports.rows reads them) goes straight to isoformat.
        zone = timezone.get_default_timezone()
        if value.tzinfo is not zone:
            value = _in_site_zone(value) if timezone.is_aware(value) else timezone.make_aware(value, zone)
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"a date or datetime is expected, not {type(value).__name__}")
