"""gunicorn's settings for one GBV Learn app server, read from the environment.

Each app server is one instance of deploy/systemd/gbv-web@.service (the instance is its port);
`make serve-prod` and the topology tests start the same command line (deploy/local/). Every value
can be changed in the environment file without editing this one.
"""

import ipaddress
import os
import sys
from pathlib import Path

# The checkout, for ops.logs (gunicorn reads this file before it imports the app).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ops.logs import logging_config  # noqa: E402 - needs the path above


def env_int(name, default):
    return int(os.environ.get(name, default))


def private_bind(address):
    """The address unchanged if it is loopback or private; otherwise stop before listening.

    A client that reached gunicorn directly would skip the proxy: its TLS, its request limits and
    the X-Forwarded-For that rate limits key on."""
    host = address.rsplit(":", 1)[0].strip("[]")
    if address.startswith("unix:") or host == "localhost":
        return address
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        raise SystemExit(f"GUNICORN_BIND={address!r}: give an IP address (loopback or private), not a name.") from None
    if ip.is_unspecified or not (ip.is_loopback or ip.is_private):
        raise SystemExit(f"GUNICORN_BIND={address!r}: bind to loopback or a private address only the proxy reaches.")
    return address


bind = [private_bind(os.environ.get("GUNICORN_BIND", "127.0.0.1:8000"))]
proc_name = "gbv-web-" + bind[0].rsplit(":", 1)[-1]

# Processes × threads: a page waits mostly on PostgreSQL, so threads serve while others wait.
# Two processes per core is the usual start; each thread holds one database connection.
worker_class = "gthread"
workers = env_int("GUNICORN_WORKERS", 2)
threads = env_int("GUNICORN_THREADS", 4)
# A request silent this long is killed (the worker restarts); below nginx's proxy_read_timeout (60 s)
# so nginx sees the 502 and never waits on a dead one.
timeout = env_int("GUNICORN_TIMEOUT", 30)
# On SIGTERM (systemctl stop/restart, upgrades) requests in flight get this long to finish.
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# nginx keeps connections to the app servers open (upstream keepalive); longer than its idle time.
keepalive = env_int("GUNICORN_KEEPALIVE", 75)
# Each process is replaced after about this many requests (a slow leak never grows for ever);
# the jitter keeps the processes from all restarting at once.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# The heartbeat file on a RAM disk: a worker blocked writing to a slow disk is not killed for it.
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", "/dev/shm" if os.path.isdir("/dev/shm") else None)

# gunicorn 27 opens a control socket (gunicornc) at $XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl by
# default: two instances of one user would fight over that one path. Each instance gets its own
# (the unit sets GUNICORN_CONTROL_SOCKET in its runtime directory), or none at all.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
if control_socket_disable:
    del control_socket

# JSON lines on stdout with the request id, gunicorn's own and access lines included, in the same
# format as the app's (ops.logs); nginx's access log also names the app server that answered.
logconfig_dict = logging_config()
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")

# Metrics from every worker process of this instance (ops.metrics): prometheus_client's
# multiprocess files, in a directory of the instance's own (the unit's runtime directory), empty at
# each start; a worker that exits has its live gauges dropped.
metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if metrics_dir:
    Path(metrics_dir).mkdir(parents=True, exist_ok=True)
    for stale in Path(metrics_dir).glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    if metrics_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
