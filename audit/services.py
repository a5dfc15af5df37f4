"""What every app writes to the audit: each export of learners' records, whichever app makes it."""

from audit.models import ExportLog


def log_export(user, report, export_format, filters):
    """Log an export as it starts (who, which report, format and filters); return the callback
    that records how many rows it held once the whole file has been sent. An export broken off
    keeps an empty row count."""
    log = ExportLog.objects.create(user=user, report=report, export_format=export_format, filters=filters)

    def finished(row_count):
        ExportLog.objects.filter(pk=log.pk).update(row_count=row_count)

    return finished
