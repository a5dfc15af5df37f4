"""`make bench`: every benchmark, each in its own process, each printing its table; then every
figure with an aim in one table (bench.results), saved as JSON under bench/results/.

The reports run twice: on SQLite and on the local PostgreSQL (or DATABASE_URL's database).
`python -m bench reports growth` runs only the benchmarks named.
"""

import os
import shutil
import subprocess
import sys
import tempfile

from bench import results

POSTGRES = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
SQLITE = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
POSTGRES_ENV = {**os.environ, "DATABASE_URL": POSTGRES}


def postgres_is_up():
    return shutil.which("pg_isready") and subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode == 0


def plan():
    """(name, module, environment) of each benchmark, in the order they run."""
    runs = [(module, f"bench.{module}", None) for module in ("foundation", "site", "courses", "certificates", "load")]
    runs.append(("reports", "bench.reports", SQLITE))
    if postgres_is_up():
        runs.append(("reports", "bench.reports", POSTGRES_ENV))
        runs.append(("growth", "bench.growth", POSTGRES_ENV))
        runs.append(("report_growth", "bench.report_growth", POSTGRES_ENV))
    return runs


def main(chosen):
    with tempfile.NamedTemporaryFile(prefix="bench-", suffix=".jsonl", delete=False) as collected:
        path = collected.name
    try:
        for name, module, environment in plan():
            if chosen and name not in chosen:
                continue
            environment = dict(environment or os.environ)
            environment[results.ENVIRONMENT_VARIABLE] = path
            database = "PostgreSQL" if environment.get("DATABASE_URL") else "SQLite"
            print(f"\n== {module}" + (f" ({database})" if name == "reports" else ""), flush=True)
            subprocess.run([sys.executable, "-m", module], check=True, env=environment)
        figures = results.read(path)
    finally:
        os.unlink(path)
    if figures:
        print("\n== Every figure with its floor or aim\n")
        print(results.table(figures))
        print(f"\nSaved as {results.save(figures).relative_to(os.getcwd())}")
        if any(figure["passed"] is False for figure in figures):
            print("Some aims are not met (FAIL above).")


main(sys.argv[1:])
