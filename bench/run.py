"""`make bench`: how long a large store takes to generate, dump, restore and inspect.

Writes bench/results/<provider>.json; figures, not pass/fail (tests never time anything).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rehearse.catalog import Provider
from rehearse.version import Version
from tests.storegen import LOCAL_IMAGES, StoreShape, make_backup

DESCRIPTION_BYTES = 2048
# Rows of products per MiB of dump, measured: base64 of random bytes compresses to about 3/4.
PRODUCTS_PER_MB = 680
RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--provider", choices=[p.value for p in Provider
                                               if p in LOCAL_IMAGES], default="postgresql")
    parser.add_argument("--size-mb", type=int, default=1024, help="aimed-at dump size")
    args = parser.parse_args()
    provider = Provider(args.provider)
    scale = max(1, args.size_mb * PRODUCTS_PER_MB // 100)
    shape = StoreShape(Version(4, 70), provider, scale=scale,
                       description_bytes=DESCRIPTION_BYTES, random_descriptions=True)
    with tempfile.TemporaryDirectory(prefix="rehearse-bench-") as folder:
        started = time.monotonic()
        backup = make_backup(shape, Path(folder))
        generated = time.monotonic() - started
        figures = {"provider": provider.value, "products": shape.rows("Product"),
                   "dump_bytes": backup.stat().st_size,
                   "generate_and_dump_seconds": round(generated, 1)}
        figures.update(_inspect(backup, LOCAL_IMAGES[provider]))
        figures.update(_rehearse(backup, provider, Path(folder)))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{provider.value}.json"
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    print(f"written to {out}", file=sys.stderr)


def _inspect(backup: Path, image: str) -> dict[str, object]:
    """`rehearse inspect` as a user runs it: restore, detect, count; its time and memory."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "rehearse", "--quiet", "inspect", str(backup), "--image", image,
         "--memory", "4g", "--json"], capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"rehearse inspect failed: {done.stderr}")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    found = json.loads(done.stdout)
    return {"inspect_seconds": round(seconds, 1), "inspect_peak_rss_mib": round(peak_kib / 1024),
            "restored_products": found["counts"]["Product"]}


SCENARIO = """\
store: {{version: "4.70", provider: {provider}, backup: {backup}, app_data: App_Data}}
target: "4.80"
images: {{database: {database}, nopcommerce: "rehearse/nopsim:{{version}}"}}
limits: {{database_memory: 4g, store_memory: 1g}}
report: {{output: out, formats: [json]}}
"""


def _rehearse(backup: Path, provider: Provider, folder: Path) -> dict[str, object]:
    """The whole `rehearse run` on that store: restore, make safe, one app start, checks."""
    app_data = folder / "App_Data"
    app_data.mkdir()
    settings = {"ConnectionStrings": {"ConnectionString": "Server=prod;Database=shop;",
                                      "DataProvider": provider.value}}
    (app_data / "appsettings.json").write_text(json.dumps(settings))
    scenario = folder / "bench.yaml"
    scenario.write_text(SCENARIO.format(provider=provider.value, backup=backup,
                                        database=LOCAL_IMAGES[provider]))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "rehearse", "--quiet", "run", str(scenario)],
                          capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    report = json.loads(next((folder / "out").glob("*/report.json")).read_text())
    phases = {p["name"]: round(p["seconds"], 1) for p in report["phases"]}
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return {"run_exit_code": done.returncode, "run_verdict": report["verdict"],
            "run_seconds": round(seconds, 1), "run_phase_seconds": phases,
            "run_peak_rss_mib": round(peak / 1024)}


if __name__ == "__main__":
    main()
