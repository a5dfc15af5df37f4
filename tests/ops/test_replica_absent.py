"""Without DATABASE_REPLICA_URL there is no standby: the reports' scope reads the primary, as before."""

import pytest

from accounts.models import User
from ops.replica import ReplicaRouter, reads_from_replica, replica_state

pytestmark = pytest.mark.django_db


def test_without_a_standby_everything_reads_and_writes_the_primary():
    router = ReplicaRouter()
    with reads_from_replica():
        assert User.objects.all().db == "default"
        assert (router.db_for_read(User), router.db_for_write(User)) == ("default", "default")
    assert replica_state().status == "none"


def test_healthz_without_a_standby(client):
    body = client.get("/healthz").json()

    assert (body["replica"], body["replica_lag_seconds"]) == ("none", None)
