"""The router sends reads to the standby only inside the reports' scope, writes never; a standby that
cannot be reached leaves the reads on the primary. The standby here is a second connection to the
test database (tests/conftest.py: replica), as Django's TEST MIRROR makes one."""

import logging

from django.contrib.auth.models import Group
from django.db import connections

from accounts.models import ManagerScope, User
from audit.models import ExportLog
from ops.replica import iterate_on_replica, reads_from_replica, replica_state
from tests.accounts.factories import UserFactory
from tests.conftest import REPLICA_TESTS, point_replica_at, unreachable_database

pytestmark = REPLICA_TESTS


def test_reads_go_to_the_standby_only_inside_the_scope(replica):
    learner = UserFactory(full_name="Đọc Ở Bản Sao")

    outside = User.objects.all().db
    with reads_from_replica():
        inside = User.objects.all().db
        names = list(User.objects.values_list("full_name", flat=True))
    after = User.objects.all().db  # a query is routed when it runs, not when it is written

    assert (outside, inside, after) == ("default", "replica", "default")
    assert names == [learner.full_name]  # the standby holds the primary's committed rows


def test_access_rules_sessions_and_the_export_log_are_read_on_the_primary_inside_the_scope(replica):
    with reads_from_replica():
        databases = {model: model.objects.all().db for model in (ManagerScope, Group, ExportLog)}

    assert set(databases.values()) == {"default"}


def test_writes_always_go_to_the_primary(replica):
    with reads_from_replica():
        user = User.objects.get(pk=UserFactory().pk)  # read on the standby
        user.full_name = "Ghi Ở Bản Chính"
        user.save()
        log = ExportLog.objects.create(user=user, report="completion_records", export_format="csv", filters={})

    assert user._state.db == "default" and log._state.db == "default"
    assert User.objects.using("default").get(pk=user.pk).full_name == "Ghi Ở Bản Chính"


def test_a_standby_that_cannot_be_reached_leaves_the_reads_on_the_primary(unreachable_replica, caplog):
    with reads_from_replica():
        names = list(User.objects.values_list("full_name", flat=True))
        database = User.objects.all().db

    assert database == "default" and names == []
    assert replica_state().status == "down"
    warnings = [record.getMessage() for record in caplog.get_records("setup") if record.name == "ops.replica"]
    assert warnings == ["The standby database is unreachable; reports read the primary."]


def test_a_call_that_fails_on_the_standby_runs_again_on_the_primary(replica, caplog):
    caplog.set_level(logging.WARNING, logger="ops.replica")
    UserFactory(full_name="Vẫn Thấy")
    assert replica_state(fresh=True).status == "up"
    point_replica_at(unreachable_database())  # it dies after it was last checked: still "up" for a while

    @reads_from_replica()
    def names():
        return list(User.objects.values_list("full_name", flat=True))

    assert names() == ["Vẫn Thấy"]
    assert replica_state().status == "down"
    assert "reading the primary instead" in caplog.text


def test_a_streamed_body_reads_the_standby_while_it_is_iterated(replica):
    UserFactory(full_name="Dòng Một")
    UserFactory(full_name="Dòng Hai")

    def rows():  # as a report's export rows: a query run only when the body is sent
        for user in User.objects.order_by("full_name").iterator():
            yield user.full_name, user._state.db

    body = iterate_on_replica(rows())
    assert User.objects.all().db == "default"  # the scope is not open between items

    assert list(body) == [("Dòng Hai", "replica"), ("Dòng Một", "replica")]


def test_healthz_with_a_standby_down_is_still_200(unreachable_replica, client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["replica"]) == ("ok", "down")


def test_healthz_with_a_standby_up_reports_its_lag(replica, client):
    body = client.get("/healthz").json()

    assert body["replica"] == "up"
    # A mirror is no standby: on PostgreSQL it is not in recovery, so 0; SQLite cannot say.
    assert body["replica_lag_seconds"] == (0 if connections["default"].vendor == "postgresql" else None)
