"""How far behind the standby the reports read is, told to managers when it matters."""

from django.conf import settings
from django.utils.translation import ngettext

from ops.replica import UP, replica_state


def lag_notice(lag_seconds):
    """The notice for a standby `lag_seconds` behind the primary; None within REPLICA_LAG_WARNING_SECONDS
    (or when the lag is unknown)."""
    if lag_seconds is None or lag_seconds <= settings.REPLICA_LAG_WARNING_SECONDS:
        return None
    minutes = max(1, round(lag_seconds / 60))
    return ngettext(
        "The report's figures are about %(minutes)s minute behind the latest data.",
        "The report's figures are about %(minutes)s minutes behind the latest data.",
        minutes,
    ) % {"minutes": minutes}


def current_lag_notice():
    """The notice for the standby the reports read now: none when they read the primary."""
    state = replica_state()
    return lag_notice(state.lag_seconds) if state.status == UP else None
