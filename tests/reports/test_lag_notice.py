"""How far behind its standby a report's figures are, in words, from REPLICA_LAG_WARNING_SECONDS on."""

from django.utils import translation

from reports.lag import lag_notice

NOTICE_VI = "Số liệu báo cáo đang chậm khoảng {} phút so với dữ liệu mới nhất."


def test_the_lag_notice_says_how_many_minutes_behind_beyond_the_threshold(settings):
    settings.REPLICA_LAG_WARNING_SECONDS = 60
    with translation.override("vi"):
        notices = [lag_notice(lag) for lag in (None, 0, 59, 60, 61, 125, 3600)]
    with translation.override("en"):
        english = [lag_notice(61), lag_notice(125)]

    assert notices == [None, None, None, None, NOTICE_VI.format(1), NOTICE_VI.format(2), NOTICE_VI.format(60)]
    assert english == [
        "The report's figures are about 1 minute behind the latest data.",
        "The report's figures are about 2 minutes behind the latest data.",
    ]
