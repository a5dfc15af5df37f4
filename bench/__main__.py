"""`make bench`: every benchmark, each in its own process, each printing its table.

The reports run twice: on SQLite and on the local PostgreSQL (or DATABASE_URL's database).
"""

import os
import shutil
import subprocess
import sys

POSTGRES = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"

for module in ("bench.foundation", "bench.site", "bench.courses", "bench.certificates", "bench.load"):
    print(f"\n== {module}", flush=True)
    subprocess.run([sys.executable, "-m", module], check=True)

sqlite = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
print("\n== bench.reports (SQLite)", flush=True)
subprocess.run([sys.executable, "-m", "bench.reports"], check=True, env=sqlite)
if shutil.which("pg_isready") and subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode == 0:
    print("\n== bench.reports (PostgreSQL)", flush=True)
    subprocess.run([sys.executable, "-m", "bench.reports"], check=True, env={**os.environ, "DATABASE_URL": POSTGRES})
    print("\n== bench.growth (PostgreSQL)", flush=True)
    subprocess.run([sys.executable, "-m", "bench.growth"], check=True, env={**os.environ, "DATABASE_URL": POSTGRES})
