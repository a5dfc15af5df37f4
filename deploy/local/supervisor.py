"""A small process supervisor standing in for systemd where it is not process 1 (make serve-prod,
the topology tests): the app servers, the worker and the timers of deploy/systemd/, run with the
command lines the units name (deploy/local/units.py).

Like `Restart=always`: a process that exits is started again, after 1 s, then 2, 4 … up to 30 s
while it keeps failing; a process that ran a minute starts again at 1 s. Like systemd when a
service's main process dies, whatever else is left in its process group is killed first (a
SIGKILLed gunicorn arbiter's workers would keep the port). Timers run their oneshot service every
interval (OnUnitActiveSec; daily for OnCalendar), never two of one at a time.

    python -m deploy.local.supervisor --env-file ENV --run-dir RUN --log-dir LOGS --web 8001 --web 8002 --worker
"""

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from deploy.local import units

FIRST_DELAY, MAX_DELAY, STABLE_AFTER = 1, 30, 60


def say(message):
    print(time.strftime("%H:%M:%S"), message, flush=True)


def read_env_file(path):
    """KEY=value lines, as systemd's EnvironmentFile reads them (no shell expansion)."""
    environment = {}
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            environment[key.strip()] = value.strip().strip('"')
    return environment


class Process:
    def __init__(self, command, env_file, run_dir, log_dir):
        self.command, self.run_dir = command, Path(run_dir)
        # systemd's order: the unit's Environment=, then EnvironmentFile= over it.
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/"),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            **command.environment,
            **read_env_file(env_file),
        }
        self.log_path = Path(log_dir) / f"{command.name}.log"
        self.pid_path = self.run_dir / f"{command.name}.pid"
        self.child, self.started_at, self.failures, self.restart_at = None, 0.0, 0, 0.0

    def start(self):
        if self.command.runtime_directory:  # like systemd's RuntimeDirectory: new and empty at each start
            runtime = self.run_dir / self.command.runtime_directory
            shutil.rmtree(runtime, ignore_errors=True)
            runtime.mkdir(parents=True)
        with open(self.log_path, "a") as log:
            self.child = subprocess.Popen(
                self.command.argv,
                cwd=self.command.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, like a service's cgroup
            )
        self.started_at = time.monotonic()
        self.pid_path.write_text(f"{self.child.pid}\n")
        say(f"{self.command.name}: started (pid {self.child.pid})")

    def running(self):
        return self.child is not None and self.child.poll() is None

    def reap(self):
        """Kill what is left of the exited process's group; return its exit status."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.child.pid, signal.SIGKILL)
        status, self.child = self.child.returncode, None
        with contextlib.suppress(FileNotFoundError):
            self.pid_path.unlink()
        return status

    def terminate(self):
        if self.running():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.child.pid, signal.SIGTERM)


class Service(Process):
    """Restart=always, with back-off."""

    def tick(self, now):
        if self.running():
            return
        if self.child is not None:
            ran = now - self.started_at
            status = self.reap()
            self.failures = 0 if ran >= STABLE_AFTER else self.failures + 1
            delay = min(FIRST_DELAY * 2 ** max(self.failures - 1, 0), MAX_DELAY)
            self.restart_at = now + delay
            say(f"{self.command.name}: exited with {status} after {ran:.0f} s; restarting in {delay} s")
        if now >= self.restart_at:
            self.start()


class Timer(Process):
    """A oneshot service started every `interval` seconds."""

    def __init__(self, command, interval, *args):
        super().__init__(command, *args)
        self.interval = interval
        self.due = time.monotonic() + interval

    def tick(self, now):
        if self.child is not None and not self.running():
            status = self.reap()
            say(f"{self.command.name}: finished with {status} after {now - self.started_at:.1f} s")
            self.due = now + self.interval
        if self.child is None and now >= self.due:
            self.start()


def main(argv=None):
    parser = argparse.ArgumentParser(description="Run the units of deploy/systemd/ without systemd.")
    parser.add_argument("--env-file", required=True, help="what /etc/gbv/gbv.env holds in production")
    parser.add_argument("--run-dir", required=True, help="pid files and runtime directories (systemd's %%t)")
    parser.add_argument("--log-dir", required=True)
    parser.add_argument("--web", action="append", default=[], help="start gbv-web@PORT (repeat)")
    parser.add_argument("--worker", action="store_true", help="start gbv-worker")
    parser.add_argument("--timers", action="store_true", help="run every timer of deploy/systemd/")
    parser.add_argument(
        "--timer-every", action="append", default=[], metavar="NAME=SECONDS", help="a timer's interval here"
    )
    parser.add_argument(
        "--extra", action="append", default=[], metavar="NAME=COMMAND", help="another supervised process"
    )
    args = parser.parse_args(argv)
    common = (args.env_file, args.run_dir, args.log_dir)
    Path(args.run_dir).mkdir(parents=True, exist_ok=True)
    Path(args.log_dir).mkdir(parents=True, exist_ok=True)

    processes = [Service(units.command("gbv-web@.service", port, args.run_dir), *common) for port in args.web]
    if args.worker:
        processes.append(Service(units.command("gbv-worker.service"), *common))
    for item in args.extra:
        name, _, line = item.partition("=")
        processes.append(Service(units.Command(name, line.split(), units.REPO), *common))
    if args.timers:
        every = dict(item.split("=", 1) for item in args.timer_every)
        for timer, service in units.timers().items():
            interval = int(every.get(timer, units.timer_interval(f"{timer}.timer")))
            processes.append(Timer(units.command(service), interval, *common))

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
    say(f"supervising {', '.join(process.command.name for process in processes)}")
    while not stopping:
        now = time.monotonic()
        for process in processes:
            process.tick(now)
        time.sleep(0.2)

    say("stopping")
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + 40  # gunicorn's graceful timeout, and some
    while any(process.running() for process in processes) and time.monotonic() < deadline:
        time.sleep(0.2)
    for process in processes:
        if process.child is not None:
            process.reap()
    say("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
