"""/healthz reports each part and answers 503 only when the site cannot serve; /livez only says the process answers."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

import pytest
from django_tasks_db.models import DBTaskResult

from tests.ops.test_redis_outage import wait_for_the_retry_interval
from tests.test_platform import manage

pytestmark = pytest.mark.django_db


def waiting_task(waited):
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="certificates.tasks.render_certificate",
        backend_name="background",
        queue_name="default",
        run_after=timezone.now() - timedelta(seconds=1),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - waited)
    return task


def test_healthz_reports_every_part(client):
    waiting_task(timedelta(minutes=3))
    waiting_task(timedelta(seconds=10))
    DBTaskResult.objects.filter(pk=waiting_task(timedelta(minutes=9)).pk).update(status="RUNNING")

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "up"
    assert body["cache"] == "not shared"  # the tests' per-process cache
    assert body["storage"] == "up"  # the tests' media and certificate folders
    assert body["tasks"]["waiting"] == 2 and body["tasks"]["running"] == 1
    assert 180 <= body["tasks"]["oldest_waiting_seconds"] < 240
    assert "no-cache" in response["Cache-Control"]


def test_healthz_with_an_empty_queue(client):
    assert client.get("/healthz").json()["tasks"] == {"waiting": 0, "oldest_waiting_seconds": None, "running": 0}


def test_healthz_says_degraded_but_200_while_redis_is_down_and_up_when_it_is_back(redis_cache, client):
    assert client.get("/healthz").json()["cache"] == "up"

    redis_cache.stop()
    during = [client.get("/healthz") for _ in range(3)]
    redis_cache.start()
    wait_for_the_retry_interval()
    after = client.get("/healthz")

    assert [response.status_code for response in during] == [200, 200, 200]
    assert {(r.json()["status"], r.json()["cache"], r.json()["database"]) for r in during} == {
        ("degraded", "unavailable", "up")
    }
    assert after.status_code == 200 and (after.json()["status"], after.json()["cache"]) == ("ok", "up")


def test_healthz_notices_a_redis_outage_by_itself(redis_cache, client):
    # A load balancer's probe is often the only request: it must find the outage, not trust the last one.
    client.get("/healthz")
    redis_cache.stop()

    assert client.get("/healthz").json()["cache"] == "unavailable"


def test_healthz_answers_503_and_livez_200_when_the_database_is_down():
    # A real server process whose database does not answer (nothing listens on port 9).
    code = (
        "from django.test import Client; c = Client(); h = c.get('/healthz'); l = c.get('/livez');"
        "print(h.status_code, h.content.decode()); print(l.status_code, l.content.decode())"
    )
    env = {"DATABASE_URL": "postgres://postgres@127.0.0.1:9/none"}
    result = manage("shell", "-c", code, env=env, settings_module="config.settings.test")

    assert result.returncode == 0, result.stderr
    healthz, livez = result.stdout.strip().splitlines()[-2:]
    assert healthz == (
        '503 {"status": "unavailable", "database": "down", "cache": "not shared", "storage": "up", "tasks": null, '
        '"replica": "none", "replica_lag_seconds": null}'
    )
    assert livez == '200 {"status": "alive"}'


def test_livez_touches_neither_the_database_nor_the_cache(settings, django_assert_num_queries):
    # A cache that raises on any use: Django's own RedisCache on a port where nothing listens.
    settings.CACHES = {
        alias: {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
        for alias in settings.CACHES
    }

    with django_assert_num_queries(0):
        response = Client().get("/livez")

    assert response.status_code == 200 and response.json() == {"status": "alive"}
    assert "no-cache" in response["Cache-Control"]


def test_livez_answers_while_redis_is_down(redis_cache, client):
    redis_cache.stop()

    assert client.get("/livez").status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/livez"])
def test_the_probes_are_exempt_from_the_https_redirect(settings, client, path):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]

    assert client.get(path).status_code == 200
    assert client.get("/accounts/login/").status_code == 301
