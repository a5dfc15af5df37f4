"""Logs: one JSON object per line on stdout in production, readable lines in development; each
line written while a request is handled carries its id (ops.request_id).

`logging_config()` builds the whole LOGGING dict, so the settings and gunicorn's config
(`logconfig_dict`) write the same lines: gunicorn's own messages and access log go through the
same formatter. This module is imported by gunicorn before Django is set up: it reads no setting.
"""

import datetime
import json
import logging
import os

from ops.request_id import current_request_id

# Libraries that say too much at INFO: the tasks frameworks (Django's, and the backport Wagtail
# uses) log every task, fontTools every font it subsets for a certificate.
QUIET_LOGGERS = ("django.tasks", "django_tasks", "fontTools", "weasyprint")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (None outside a request); keeps every record."""

    def filter(self, record):
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One line per record: time (UTC, ISO 8601), level, logger, message, request_id, and the
    traceback when an exception is logged. Newlines inside values are escaped, so a message (or a
    visitor's text in it) never starts a line of its own."""

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["traceback"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Development's lines: `time LEVEL logger [request id] message`."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id_shown)s] %(message)s")

    def format(self, record):
        record.request_id_shown = getattr(record, "request_id", None) or "-"
        return super().format(record)


def logging_config(*, json_lines=True, level=None):
    """The LOGGING dict (logging.config.dictConfig) for Django's settings and gunicorn's config.

    json_lines: JSON objects on stdout (production) or readable lines on stderr (development).
    level: the root level, by default the environment's LOG_LEVEL, else INFO.
    """
    level = (level or os.environ.get("LOG_LEVEL") or "INFO").upper()
    handler = "console"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"json": {"()": JsonFormatter}, "text": {"()": TextFormatter}},
        "handlers": {
            handler: {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout" if json_lines else "ext://sys.stderr",
                "formatter": "json" if json_lines else "text",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": [handler], "level": level},
        "loggers": {
            **{name: {"level": "WARNING"} for name in QUIET_LOGGERS},
            # gunicorn's master and workers (used only under gunicorn): the same handler, once.
            "gunicorn.error": {"handlers": [handler], "level": level, "propagate": False},
            "gunicorn.access": {"handlers": [handler], "level": "INFO", "propagate": False},
        },
    }
