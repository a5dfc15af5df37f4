"""deploy/ as code: the systemd units pass `systemd-analyze verify`, the gunicorn config refuses a
public address, and the local topology reads back exactly what the units name."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.local import units
from deploy.local.topology import Topology

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    # verify checks that each ExecStart exists: point the units' /srv/gbv/app at this checkout.
    for unit in units.UNITS.iterdir():
        (tmp_path / unit.name).write_text(unit.read_text().replace("/srv/gbv/app", str(ROOT)))
    names = [path.name for path in sorted(tmp_path.iterdir()) if path.name != "gbv-web@.service"]
    names += ["gbv-web@8001.service"]  # a template is verified through an instance

    done = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / name) for name in names)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )

    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert {path.stem for path in tmp_path.glob("*.timer")} == {
        "gbv-requeue-stuck-tasks",
        "gbv-issue-missing-certificates",
        "gbv-certificate-reminders",
        "gbv-assignment-reminders",
        "gbv-backup",
        "gbv-refresh-unit-figures",
    }


def test_web_and_worker_restart_always_as_their_own_user_with_hardening():
    for unit in ("gbv-web@.service", "gbv-worker.service"):
        service = units.read_unit(unit)["Service"]
        assert service["Restart"] == ["always"] and service["RestartSec"] == ["2"]
        assert service["User"] == ["gbv"] and service["EnvironmentFile"] == ["/etc/gbv/gbv.env"]
        for key, value in [("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("PrivateTmp", "yes")]:
            assert service[key] == [value], (unit, key)
        assert service["ReadWritePaths"] == ["/srv/gbv/media /srv/gbv/private_media"]


def test_the_timers_run_every_minute_every_two_or_ten_minutes_and_daily():
    assert units.timer_interval("gbv-requeue-stuck-tasks.timer") == 60
    assert units.timer_interval("gbv-issue-missing-certificates.timer") == 120
    assert units.timer_interval("gbv-refresh-unit-figures.timer") == 600
    for daily in ("gbv-certificate-reminders.timer", "gbv-assignment-reminders.timer", "gbv-backup.timer"):
        assert units.timer_interval(daily) == 86400
        assert units.read_unit(daily)["Timer"]["Persistent"] == ["true"]


def test_each_app_server_gets_its_own_control_socket_and_the_local_topology_runs_the_units_command():
    first, second = (units.command("gbv-web@.service", port, "/run") for port in ("8001", "8002"))

    assert first.argv == [str(ROOT / ".venv/bin/gunicorn"), "--config", "deploy/gunicorn.conf.py", "config.wsgi"]
    assert first.environment == {
        "GUNICORN_BIND": "127.0.0.1:8001",
        "GUNICORN_CONTROL_SOCKET": "/run/gbv-web-8001/gunicorn.ctl",
        "PROMETHEUS_MULTIPROC_DIR": "/run/gbv-web-8001",
    }
    assert second.environment["GUNICORN_CONTROL_SOCKET"] == "/run/gbv-web-8002/gunicorn.ctl"
    assert units.command("gbv-worker.service").argv[1:] == ["manage.py", "run_worker", "--backend", "background"]


def test_the_backup_runs_hardened_with_private_files_writing_only_the_backups_and_locally_into_the_topology(tmp_path):
    service = units.read_unit("gbv-backup.service")["Service"]

    assert units.command("gbv-backup.service").argv[1:] == ["manage.py", "backup"]
    assert service["User"] == ["gbv"] and service["EnvironmentFile"] == ["/etc/gbv/gbv.env"]
    for key, value in [("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("PrivateTmp", "yes")]:
        assert service[key] == [value], key
    assert service["UMask"] == ["0077"] and service["ReadWritePaths"] == ["/srv/gbv/backups"]
    assert "Environment" not in service  # BACKUP_DIR comes from gbv.env, here and in the local topology
    assert Topology(tmp_path).environment()["BACKUP_DIR"] == str(tmp_path.resolve() / "backups")


def gunicorn_settings(**environment):
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config",
            "deploy/gunicorn.conf.py",
            "--print-config",
            "wsgiref.simple_server:demo_app",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **environment},
    )
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize("address", ["0.0.0.0:8001", "8.8.8.8:8001", "[::]:8001"])
def test_gunicorn_refuses_to_listen_on_a_public_address(address):
    status, output = gunicorn_settings(GUNICORN_BIND=address)

    assert status != 0 and "loopback or a private address" in output


def test_gunicorn_reads_its_settings_from_the_environment_and_opens_no_shared_control_socket():
    status, output = gunicorn_settings(GUNICORN_BIND="10.0.1.11:8001", GUNICORN_WORKERS="5", GUNICORN_TIMEOUT="20")
    settings = dict(line.split(" = ", 1) for line in output.splitlines() if " = " in line)
    settings = {key.strip(): value.strip() for key, value in settings.items()}

    assert status == 0, output
    assert settings["bind"] == "['10.0.1.11:8001']" and settings["workers"] == "5" and settings["timeout"] == "20"
    assert settings["control_socket_disable"] == "True"
    assert int(settings["max_requests"]) > 0 and int(settings["max_requests_jitter"]) > 0
