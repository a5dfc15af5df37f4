"""The production topology on one machine: PostgreSQL, Redis, two app servers, the worker, the
timers and nginx with TLS, each its own process on loopback, all state in one directory.

    python -m deploy.local.topology up [--state .prod]     # make serve-prod
    python -m deploy.local.topology down [--state .prod]   # make stop-prod

The app servers, the worker and the timers run the command lines of deploy/systemd/ under
deploy/local/supervisor.py; nginx serves deploy/nginx/gbv.conf.template rendered for these ports.
tests/topology/ builds the same topology on other ports (TEST_PORTS) and stops its parts.
Only processes started here are ever stopped, by the pids this directory keeps.
"""

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from deploy.local.units import REPO
from deploy.nginx import render

PYTHON = REPO / ".venv" / "bin" / "python"
DATABASE = "gbv"


@dataclass(frozen=True)
class Ports:
    https: int
    http: int
    apps: tuple
    postgres: int
    redis: int
    smtp: int
    worker_metrics: int


SERVE_PORTS = Ports(https=8443, http=8080, apps=(8001, 8002), postgres=5433, redis=6380, smtp=8025, worker_metrics=8009)
TEST_PORTS = Ports(https=8453, http=8090, apps=(8011, 8012), postgres=5453, redis=6390, smtp=8035, worker_metrics=8019)


def say(message):
    print(f"[topology] {message}", flush=True)


def as_root():
    return os.geteuid() == 0


def postgres_bin():
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not versions:
        raise SystemExit("PostgreSQL's server is not installed (Debian: apt-get install postgresql).")
    return versions[-1].parent


def wait_for(what, check, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not come up within {timeout} s")


def port_open(port):
    import socket

    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class Topology:
    def __init__(self, state, ports=SERVE_PORTS, extra_env=None, timer_every=None, postgres_options=()):
        self.state = Path(state).resolve()
        self.ports = ports
        self.extra_env = dict(extra_env or {})
        self.timer_every = dict(timer_every or {})
        self.postgres_options = tuple(postgres_options)
        self.run = self.state / "run"
        self.logs = self.state / "logs"
        self.pgdata = self.state / "postgres"
        self.certificate = self.state / "tls" / "cert.pem"
        self.certificate_key = self.state / "tls" / "key.pem"
        self.env_file = self.state / "gbv.env"

    @property
    def url(self):
        return f"https://127.0.0.1:{self.ports.https}"

    # --- the environment file (production: /etc/gbv/gbv.env) ---------------------------------

    def secret_key(self):
        path = self.state / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(50))
            path.chmod(0o600)
        return path.read_text().strip()

    def environment(self):
        return {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": self.secret_key(),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": self.url,
            "WAGTAILADMIN_BASE_URL": self.url,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.ports.postgres}/{DATABASE}",
            "REDIS_URL": f"redis://127.0.0.1:{self.ports.redis}/0",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.ports.smtp),
            "EMAIL_USE_TLS": "false",
            "DEFAULT_FROM_EMAIL": "GBV Learn <no-reply@127.0.0.1>",
            "TRUSTED_PROXIES": "127.0.0.1",
            "STATIC_ROOT": str(self.state / "staticfiles"),
            "MEDIA_ROOT": str(self.state / "media"),
            "PRIVATE_MEDIA_ROOT": str(self.state / "private_media"),
            # gbv-backup.timer runs a day after the start, into the topology's own directory.
            "BACKUP_DIR": str(self.state / "backups"),
            "GUNICORN_WORKERS": "2",
            "GUNICORN_THREADS": "4",
            "WORKER_METRICS_ADDRESS": f"127.0.0.1:{self.ports.worker_metrics}",
            **self.extra_env,
        }

    def write_env_file(self):
        lines = [f"{key}={value}" for key, value in self.environment().items()]
        self.env_file.write_text(
            "# Written by deploy/local/topology.py; production's is /etc/gbv/gbv.env\n" + "\n".join(lines) + "\n"
        )
        self.env_file.chmod(0o600)

    def manage(self, *args, check=True, **kwargs):
        env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/"), "LANG": "C.UTF-8"}
        return subprocess.run(
            [str(PYTHON), "manage.py", *args], cwd=REPO, env={**env, **self.environment()}, check=check, **kwargs
        )

    # --- TLS --------------------------------------------------------------------------------------

    def make_certificate(self):
        if self.certificate.exists():
            return
        self.certificate.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "825", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,digitalSignature,keyCertSign", "-addext", "extendedKeyUsage=serverAuth",
             "-keyout", str(self.certificate_key), "-out", str(self.certificate)],
            check=True, capture_output=True,
        )  # fmt: skip
        self.certificate_key.chmod(0o600)

    # --- PostgreSQL ---------------------------------------------------------------------------------

    def as_postgres(self, argv, **kwargs):
        """Run a PostgreSQL server program as the postgres user (it refuses to run as root)."""
        if as_root():
            return subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", subprocess.list2cmdline(argv)], **kwargs)
        return subprocess.run(argv, **kwargs)

    def init_postgres(self):
        if (self.pgdata / "PG_VERSION").exists():
            return
        self.pgdata.mkdir(parents=True, exist_ok=True)
        if as_root():
            shutil.chown(self.pgdata, "postgres", "postgres")
        self.pgdata.chmod(0o700)
        initdb = [str(postgres_bin() / "initdb"), "-D", str(self.pgdata), "-A", "trust", "-U", "postgres"]
        self.as_postgres([*initdb, "-E", "UTF8", "--locale=C.UTF-8"], check=True, capture_output=True)

    def start_postgres(self):
        options = f"-p {self.ports.postgres} -k /tmp -c listen_addresses=127.0.0.1 " + " ".join(
            f"-c {option}" for option in self.postgres_options
        )
        pg_ctl = [str(postgres_bin() / "pg_ctl"), "-D", str(self.pgdata), "-o", options.strip()]
        self.as_postgres(
            [*pg_ctl, "-l", str(self.pgdata / "log"), "-w", "-t", "60", "start"], check=True, capture_output=True
        )
        wait_for("PostgreSQL", lambda: port_open(self.ports.postgres), 30)

    def stop_postgres(self, mode="fast"):
        if (self.pgdata / "postmaster.pid").exists():
            pg_ctl = [str(postgres_bin() / "pg_ctl"), "-D", str(self.pgdata), "-m", mode, "-w", "-t", "60", "stop"]
            self.as_postgres(pg_ctl, check=False, capture_output=True)

    def create_database(self):
        import psycopg

        with psycopg.connect(f"postgres://postgres@127.0.0.1:{self.ports.postgres}/postgres", autocommit=True) as db:
            if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
                db.execute(f'CREATE DATABASE "{DATABASE}"')

    # --- Redis --------------------------------------------------------------------------------------

    def start_redis(self):
        (self.state / "redis").mkdir(exist_ok=True)
        subprocess.run(
            ["redis-server", "--port", str(self.ports.redis), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "yes", "--pidfile", str(self.run / "redis.pid"), "--logfile", str(self.logs / "redis.log"),
             "--dir", str(self.state / "redis")],
            check=True,
        )  # fmt: skip
        wait_for("Redis", lambda: port_open(self.ports.redis), 15)

    def stop_redis(self):
        self.signal_pid_file(self.run / "redis.pid", signal.SIGTERM, wait=15)

    # --- nginx --------------------------------------------------------------------------------------

    def write_nginx_config(self):
        nginx = self.state / "nginx"
        for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (nginx / "temp" / temp).mkdir(parents=True, exist_ok=True)
            if as_root():
                shutil.chown(nginx / "temp" / temp, "www-data")
        site = render.render(
            server_name="127.0.0.1 localhost",
            apps=[f"127.0.0.1:{port}" for port in self.ports.apps],
            tls_certificate=str(self.certificate),
            tls_certificate_key=str(self.certificate_key),
            static_root=self.state / "staticfiles",
            media_root=self.state / "media",
            https_port=self.ports.https,
            http_port=self.ports.http,
            log_dir=self.logs,
            acme_root=self.state / "acme",
        )
        (nginx / "gbv.conf").write_text(site)
        temp_paths = "\n".join(
            f"    {temp}_temp_path {nginx / 'temp' / temp};"
            for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (nginx / "nginx.conf").write_text(
            "# Written by deploy/local/topology.py: Debian's nginx.conf in short, with this directory's paths.\n"
            + ("user www-data;\n" if as_root() else "")
            + f"worker_processes 2;\npid {self.run / 'nginx.pid'};\nerror_log {self.logs / 'nginx-error.log'} warn;\n"
            + "events { worker_connections 1024; }\n"
            + "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
            + "    sendfile on;\n    tcp_nopush on;\n"
            + temp_paths
            + f"\n    include {nginx / 'gbv.conf'};\n}}\n"
        )

    def nginx_command(self, *args):
        nginx = self.state / "nginx"
        command = ["nginx", "-p", str(nginx), "-c", str(nginx / "nginx.conf"), "-e", str(self.logs / "nginx-error.log")]
        return subprocess.run([*command, *args], check=True, capture_output=True, text=True)

    def start_nginx(self):
        self.nginx_command("-t")
        self.nginx_command()
        wait_for("nginx", lambda: port_open(self.ports.https), 15)

    def stop_nginx(self):
        self.signal_pid_file(self.run / "nginx.pid", signal.SIGTERM, wait=15)

    # --- the supervised processes ---------------------------------------------------------------

    def start_supervisor(self):
        argv = [str(PYTHON), "-m", "deploy.local.supervisor", "--env-file", str(self.env_file),
                "--run-dir", str(self.run), "--log-dir", str(self.logs), "--worker", "--timers",
                "--extra", f"smtp-sink={PYTHON} -m deploy.local.smtp_sink {self.ports.smtp} {self.state / 'mail'}"]  # fmt: skip
        for port in self.ports.apps:
            argv += ["--web", str(port)]
        for timer, seconds in self.timer_every.items():
            argv += ["--timer-every", f"{timer}={seconds}"]
        with open(self.logs / "supervisor.log", "a") as log:
            supervisor = subprocess.Popen(
                argv, cwd=REPO, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        (self.run / "supervisor.pid").write_text(f"{supervisor.pid}\n")
        for port in self.ports.apps:
            wait_for(f"the app server on {port}", lambda port=port: port_open(port), 60)

    def stop_supervisor(self):
        self.signal_pid_file(self.run / "supervisor.pid", signal.SIGTERM, wait=60)

    def pid(self, name):
        """The pid of a supervised process (gbv-web-8001, gbv-worker…), or None while it is down."""
        with contextlib.suppress(FileNotFoundError, ValueError):
            return int((self.run / f"{name}.pid").read_text())
        return None

    # --- the whole ------------------------------------------------------------------------------------

    def up(self, demo=True):
        for directory in (self.state, self.run, self.logs, self.state / "media", self.state / "private_media"):
            directory.mkdir(parents=True, exist_ok=True)
        # PostgreSQL (another user when run as root) and nginx's workers must reach their files.
        self.state.chmod(0o755)
        self.make_certificate()
        self.write_env_file()
        say(f"PostgreSQL on 127.0.0.1:{self.ports.postgres}")
        self.init_postgres()
        self.start_postgres()
        self.create_database()
        say(f"Redis on 127.0.0.1:{self.ports.redis}")
        self.start_redis()
        say("migrate, collectstatic" + (", demo content" if demo else ""))
        self.manage("migrate", "--no-input", "-v", "0")
        self.manage("collectstatic", "--no-input", "-v", "0")
        if demo:
            self.manage("load_demo_data")
        say(f"app servers on {', '.join(str(port) for port in self.ports.apps)}, the worker, the timers")
        self.start_supervisor()
        say(f"nginx on {self.ports.https} (HTTPS) and {self.ports.http}")
        self.write_nginx_config()
        self.start_nginx()
        self.wait_until_healthy()

    def wait_until_healthy(self, timeout=60):
        context = ssl.create_default_context(cafile=str(self.certificate))

        def healthy():
            with urllib.request.urlopen(f"{self.url}/healthz", context=context, timeout=5) as answer:  # noqa: S310
                return answer.status == 200

        wait_for("the site", healthy, timeout)

    def down(self):
        """Stop everything this directory started (each step whatever happened to the others)."""
        for step in (self.stop_nginx, self.stop_supervisor, self.stop_redis, self.stop_postgres):
            try:
                step()
            except Exception as error:  # noqa: BLE001 - the next part must still be stopped
                say(f"{step.__name__}: {error}")

    def signal_pid_file(self, path, signum, wait):
        with contextlib.suppress(FileNotFoundError, ValueError):
            pid = int(path.read_text())
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)
                deadline = time.monotonic() + wait
                while time.monotonic() < deadline:
                    os.kill(pid, 0)  # raises once it is gone
                    time.sleep(0.1)
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def main(argv=None):
    parser = argparse.ArgumentParser(description="The production topology on this machine.")
    parser.add_argument("action", choices=["up", "down"])
    parser.add_argument("--state", default=str(REPO / ".prod"), help="where its data, logs and pids live")
    args = parser.parse_args(argv)
    topology = Topology(args.state)
    if args.action == "down":
        topology.down()
        say("stopped")
        return 0
    try:
        topology.up()
    except BaseException:
        say("could not start; stopping what did start (logs in " + str(topology.logs) + ")")
        topology.down()
        raise
    print(
        f"\nGBV Learn runs at {topology.url}/ (self-signed certificate: {topology.certificate})\n"
        f"  HTTP {topology.ports.http} redirects to HTTPS; mail lands in {topology.state / 'mail'}; logs in {topology.logs}\n"
        "  Stop it with: make stop-prod\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
