"""Prometheus metrics for the operator only (issue 14 item 5): request latency by view, the task
queue, certificate render time; /metrics is a 404 to anyone else."""

import datetime
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from django.utils import timezone

import pytest
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from certificates.services import render_certificate
from ops.metrics import serve_worker_metrics
from tests.certificates.factories import CertificateFactory

pytestmark = pytest.mark.django_db

WORKER_METRICS_PORTS = range(9915, 9920)  # our loopback ports
ROOT = Path(__file__).resolve().parents[2]


def scrape(client, **extra):
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain; version=")
    return samples(response.content.decode())


def samples(text):
    """{(name, frozenset(labels)): value} of every sample."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found, name, **labels):
    return found.get((name, frozenset(labels.items())), 0)


def test_latency_by_view_for_a_view_just_requested(client, home_page):
    labels = {"view": "verify_form", "method": "GET", "status": "2xx"}
    before = value(scrape(client), "gbv_http_request_duration_seconds_count", **labels)

    assert client.get("/verify/").status_code == 200
    after = scrape(client)

    assert value(after, "gbv_http_request_duration_seconds_count", **labels) == before + 1
    assert value(after, "gbv_http_request_duration_seconds_sum", **labels) > 0
    assert value(after, "gbv_http_request_duration_seconds_bucket", **labels, le="+Inf") == before + 1


def test_wagtail_pages_are_timed_by_page_type_and_errors_by_status_class(client, home_page):
    client.get("/")
    client.get("/khong-co-trang-nay/")

    found = scrape(client)

    assert value(found, "gbv_http_request_duration_seconds_count", view="page:cms.homepage", method="GET", status="2xx")
    assert value(found, "gbv_http_request_duration_seconds_count", view="wagtail_serve", method="GET", status="4xx")


def test_the_queue_depth_age_and_running_count_after_enqueuing(client, settings):
    # As in production: the "background" tasks go to the database queue.
    settings.TASKS = {**settings.TASKS, "background": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    found = scrape(client)
    assert value(found, "gbv_task_queue_waiting") == 0
    assert value(found, "gbv_task_queue_oldest_waiting_seconds") == 0

    render_certificate.enqueue(1)
    render_certificate.enqueue(2)
    DBTaskResult.objects.filter(args_kwargs__args=[1]).update(
        enqueued_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    found = scrape(client)

    assert value(found, "gbv_task_queue_waiting") == 2
    assert 300 <= value(found, "gbv_task_queue_oldest_waiting_seconds") < 360
    assert value(found, "gbv_task_queue_running") == 0


def test_a_certificate_render_is_timed(client, course, django_capture_on_commit_callbacks):
    before = value(scrape(client), "gbv_certificate_render_seconds_count")

    with django_capture_on_commit_callbacks(execute=True):
        certificate = CertificateFactory(course=course["course"])

    certificate.refresh_from_db()
    assert certificate.pdf
    found = scrape(client)
    assert value(found, "gbv_certificate_render_seconds_count") == before + 1
    assert value(found, "gbv_certificate_render_seconds_sum") > 0


# ---------------------------------------------------------------------------------------------
# Who may read them


@pytest.mark.parametrize("peer", ["203.0.113.9", "10.0.1.2", "192.168.1.10"])
def test_another_peer_gets_the_sites_404(client, home_page, peer):
    response = client.get("/metrics", REMOTE_ADDR=peer)

    assert response.status_code == 404
    assert "gbv_" not in response.content.decode() and "Không tìm thấy trang" in response.content.decode()


@pytest.mark.parametrize(
    "header", ["HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_REAL_IP", "HTTP_FORWARDED"]
)
def test_a_request_through_the_proxy_gets_a_404_even_from_loopback(client, home_page, settings, header):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]

    response = client.get("/metrics", **{header: "127.0.0.1"})

    assert response.status_code == 404 and "gbv_" not in response.content.decode()


def test_the_allowed_networks_are_a_setting(client, home_page, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.9.0/24"]

    assert client.get("/metrics", REMOTE_ADDR="10.0.9.7").status_code == 200
    assert client.get("/metrics").status_code == 404  # loopback is no longer allowed


def test_the_metrics_are_never_cached_and_need_no_known_host(client, settings):
    # Prometheus scrapes an app server by its address, not by the site's name.
    response = client.get("/metrics", HTTP_HOST="10.0.1.5:8001")

    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


# ---------------------------------------------------------------------------------------------
# Several processes


def test_the_task_workers_own_metrics_are_served_on_loopback(settings):
    server = next(filter(None, (serve_worker_metrics(f"127.0.0.1:{port}") for port in WORKER_METRICS_PORTS)))
    address = f"127.0.0.1:{server.server_address[1]}"
    try:
        with urllib.request.urlopen(f"http://{address}/metrics", timeout=5) as answer:
            text = answer.read().decode()
        assert "gbv_certificate_render_seconds_count" in text
        # A second worker on the machine cannot take the port: it goes on without serving.
        assert serve_worker_metrics(address) is None
        settings.METRICS_ALLOWED_NETWORKS = ["10.0.9.0/24"]
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://{address}/metrics", timeout=5)
        assert refused.value.code == 404
    finally:
        server.shutdown()
        server.server_close()


def test_every_gunicorn_worker_process_is_counted_in_one_scrape(tmp_path):
    """prometheus_client's multiprocess mode: two processes render, a third answers the scrape."""
    environment = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    setup = "import django; django.setup(); from ops import metrics; "
    for seconds in (1.5, 2.5):
        subprocess.run(
            [sys.executable, "-c", setup + f"metrics.CERTIFICATE_RENDER_SECONDS.observe({seconds})"],
            env=environment,
            cwd=ROOT,
            check=True,
        )
    scraped = subprocess.run(
        [
            sys.executable,
            "-c",
            setup + "from prometheus_client import generate_latest; "
            "print(generate_latest(metrics.web_registry()).decode())",
        ],
        env=environment,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout

    found = samples(scraped)
    assert value(found, "gbv_certificate_render_seconds_count") == 2
    assert value(found, "gbv_certificate_render_seconds_sum") == 4.0
