"""`make bench`: every benchmark, each in its own process, each printing its table."""

import subprocess
import sys

for module in ("bench.foundation", "bench.site", "bench.courses", "bench.certificates"):
    print(f"\n== {module}", flush=True)
    subprocess.run([sys.executable, "-m", module], check=True)
