"""The command lines of deploy/systemd/, read back for machines where systemd does not run them.

`make serve-prod` and the topology tests start exactly what the units name: ExecStart, Environment
and WorkingDirectory, with the unit's own directory (/srv/gbv/app) replaced by this checkout.
"""

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

UNITS = Path(__file__).resolve().parents[1] / "systemd"
REPO = UNITS.parents[1]


@dataclass
class Command:
    name: str
    argv: list
    cwd: Path
    environment: dict = field(default_factory=dict)  # the unit's Environment= lines
    runtime_directory: str | None = None


def read_unit(filename):
    """{section: {key: [values in order]}} of a unit file."""
    sections, section = {}, None
    for raw in (UNITS / filename).read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        section.setdefault(key.strip(), []).append(value.strip())
    return sections


def specifiers(value, instance, runtime_dir):
    replacements = {"i": instance or "", "t": str(runtime_dir), "%": "%"}
    return re.sub(r"%(.)", lambda match: replacements[match[1]], value)


def command(unit, instance=None, runtime_dir="/run"):
    """The service `unit` (e.g. "gbv-web@.service" with instance "8001") as a command to run here."""
    service = read_unit(unit)["Service"]
    unit_dir = service["WorkingDirectory"][0]

    def here(value):
        value = specifiers(value, instance, runtime_dir)
        return str(REPO) + value[len(unit_dir) :] if value.startswith(unit_dir) else value

    [exec_start] = service["ExecStart"]
    environment = {}
    for line in service.get("Environment", []):
        for assignment in shlex.split(line):
            key, _, value = assignment.partition("=")
            environment[key] = here(value)
    runtime = service.get("RuntimeDirectory", [None])[0]
    name = unit.removesuffix(".service").replace("@", f"-{instance}" if instance else "")
    return Command(
        name=name,
        argv=[here(part) for part in shlex.split(exec_start)],
        cwd=REPO,
        environment=environment,
        runtime_directory=specifiers(runtime, instance, runtime_dir) if runtime else None,
    )


DURATION = re.compile(r"(\d+)\s*(s|sec|m|min|h|d)?$")
UNIT_SECONDS = {None: 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def timer_interval(timer):
    """Seconds between two runs of a timer: its OnUnitActiveSec, or a day for a daily OnCalendar."""
    section = read_unit(timer)["Timer"]
    if "OnUnitActiveSec" in section:
        number, unit = DURATION.match(section["OnUnitActiveSec"][0]).groups()
        return int(number) * UNIT_SECONDS[unit]
    calendar = section["OnCalendar"][0]
    if calendar == "daily" or re.match(r"\*-\*-\* \d\d:\d\d:\d\d", calendar):
        return 86400
    raise ValueError(f"{timer}: OnCalendar={calendar} is not read here; give it an interval.")


def timers():
    """{timer name without .timer: the service it starts}, for every timer in deploy/systemd/."""
    return {path.stem: f"{path.stem}.service" for path in sorted(UNITS.glob("*.timer"))}
