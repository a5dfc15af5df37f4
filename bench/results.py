"""The aims of `make bench` in one place: each benchmark records its figures here, and `bench`
prints them as one table (figure, measured, floor or aim, PASS/FAIL) and writes the same as JSON
under bench/results/, so that runs can be compared.

The benchmarks run in their own processes; `bench.__main__` names a JSON-lines file in
BENCH_RESULTS and each `record()` appends one line to it. A benchmark run alone (python -m
bench.reports) records nothing and prints its own table as before.
"""

import datetime
import json
import os
import platform
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"
ENVIRONMENT_VARIABLE = "BENCH_RESULTS"


def record(figure, value, unit, *, aim=None, floor=None, passed=None, database=None, scale=None, note=""):
    """One measured figure.

    figure: what was measured ("CSV export of 100,000 rows"); value and unit: the median measured
    ("s", "ms", "queries", "x", "MiB"); aim: the target as text ("<= 2x psql \\copy");
    floor: the figure the aim is measured against, as text ("psql \\copy 0.41 s"); passed: whether
    the aim is met (None when the figure has no aim: a floor or a growth figure); database: "postgresql"
    or "sqlite" when it matters; scale: the learners of a growth row (10_000, 100_000, 1_000_000).
    """
    path = os.environ.get(ENVIRONMENT_VARIABLE)
    if not path:
        return
    line = {
        "figure": figure,
        "value": value,
        "unit": unit,
        "aim": aim,
        "floor": floor,
        "passed": passed,
        "database": database,
        "scale": scale,
        "note": note,
    }
    with open(path, "a", encoding="utf-8") as results:
        results.write(json.dumps(line, ensure_ascii=False) + "\n")


def read(path):
    with open(path, encoding="utf-8") as results:
        return [json.loads(line) for line in results if line.strip()]


def _value(row):
    value = row["value"]
    if isinstance(value, float):
        value = f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{value} {row['unit']}".strip()


def _verdict(row):
    return {True: "PASS", False: "FAIL", None: ""}[row["passed"]]


def table(rows):
    """The aims (rows without a scale), then the growth table (rows with one), as text."""
    lines = []
    aims = [row for row in rows if row["scale"] is None]
    if aims:
        headings = ("figure", "database", "measured", "floor", "aim", "")
        body = [
            (row["figure"], row["database"] or "", _value(row), row["floor"] or "", row["aim"] or "", _verdict(row))
            for row in aims
        ]
        lines += _format(headings, body)
    growth = [row for row in rows if row["scale"] is not None]
    if growth:
        scales = sorted({row["scale"] for row in growth})
        figures = list(dict.fromkeys((row["figure"], row["database"] or "") for row in growth))
        by_key = {(row["figure"], row["database"] or "", row["scale"]): row for row in growth}
        headings = ("growth", "database", *(f"{scale:,} learners" for scale in scales), "")
        body = []
        for figure, database in figures:
            cells = [by_key.get((figure, database, scale)) for scale in scales]
            verdicts = {row["passed"] for row in cells if row and row["passed"] is not None}
            verdict = "" if not verdicts else ("PASS" if verdicts == {True} else "FAIL")
            body.append((figure, database, *(_value(row) if row else "-" for row in cells), verdict))
        lines += ([""] if lines else []) + _format(headings, body)
    return "\n".join(lines)


def _format(headings, body):
    widths = [max(len(str(cells[i])) for cells in (headings, *body)) for i in range(len(headings))]
    rule = "  ".join("-" * width for width in widths)
    out = ["  ".join(str(cell).ljust(width) for cell, width in zip(headings, widths, strict=True)), rule]
    out += ["  ".join(str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True)) for cells in body]
    return [line.rstrip() for line in out]


def save(rows, now=None):
    """Write the run's figures to bench/results/<UTC time>.json; return the path."""
    now = now or datetime.datetime.now(datetime.UTC)
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{now:%Y-%m-%dT%H%M%SZ}.json"
    document = {
        "taken": now.isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "node": platform.node()},
        "figures": rows,
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path
