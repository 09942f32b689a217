"""`make bench`: rehearse against a bare script doing the same work (bench/bare.sh), side by side.

For each provider: a nopCommerce-shaped store of about BENCH_MB dumped with the engine's own tool,
then BENCH_PAIRS pairs run in the same process, alternating which side goes first; then three
rehearsals at once against one alone. Writes bench/results/<provider>.json and .md: figures,
never pass/fail (CI does not run it; tests never time anything).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import sides, table, work
from rehearse.catalog import Provider
from rehearse.version import Version
from tests import images
from tests.storegen import LOCAL_IMAGES, StoreShape, make_backup

DESCRIPTION_BYTES = 2048
# Products per MiB of dump, measured: base64 of random bytes compresses to about 3/4 in
# pg_dump -Fc; mysqldump writes it as it is, with its line breaks escaped.
PRODUCTS_PER_MB = {Provider.POSTGRESQL: 680, Provider.MYSQL: 104}
MEMORY = "4g"
RESULTS = Path(__file__).parent / "results"
SIM = f"{images.SIM}"
APPS = (f"{SIM}:4.70", f"{SIM}:4.80")  # the bench scenario's source and target (sides.py)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--provider", action="append",
                        choices=[p.value for p in Provider if p in LOCAL_IMAGES])
    parser.add_argument("--size-mb", type=int, default=1024, help="aimed-at dump size")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--no-concurrent", action="store_true",
                        help="leave out three rehearsals at once")
    parser.add_argument("--backup", type=Path,
                        help="a dump this generator made at --size-mb (one --provider): reused")
    parser.add_argument("--name", default="{provider}",
                        help="results file name, {provider} replaced (default: the provider)")
    args = parser.parse_args()
    _compiled()
    for provider in args.provider or ["postgresql", "mysql"]:
        figures = bench(Provider(provider), args.size_mb, max(1, args.pairs),
                        not args.no_concurrent, args.backup)
        name = args.name.format(provider=provider)
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n")
        (RESULTS / f"{name}.md").write_text(table.markdown(figures))
        print(table.markdown(figures))
        print(f"written to {RESULTS / name}.json and .md", file=sys.stderr)


def _compiled() -> None:
    """rehearse's modules compiled to bytecode, as `pip install` leaves them: a checkout run
    with PYTHONDONTWRITEBYTECODE (this machine's setting) compiles every module on every start
    (~70 ms of each rehearsal here), which no installed rehearse does. Python reads the files
    whatever that setting says; it only stops Python writing them."""
    import rehearse

    compileall.compile_dir(Path(rehearse.__file__).parent, quiet=1)


def bench(provider: Provider, size_mb: int, pairs: int, concurrent: bool,
          given: Path | None = None) -> dict[str, object]:
    scale = max(1, size_mb * PRODUCTS_PER_MB[provider] // 100)
    shape = StoreShape(Version(4, 70), provider, scale=scale,
                       description_bytes=DESCRIPTION_BYTES, random_descriptions=True)
    with tempfile.TemporaryDirectory(prefix="rehearse-bench-") as name:
        folder = Path(name)
        started = time.monotonic()
        backup = given.resolve() if given else make_backup(shape, folder / "store")
        figures: dict[str, object] = {
            "provider": provider.value, "products": shape.rows("Product"),
            "dump_bytes": backup.stat().st_size, "database_image": LOCAL_IMAGES[provider],
            "generate_and_dump_seconds": round(time.monotonic() - started, 1),
            "dump_reused": given is not None,
            "machine": table.machine()}
        print(f"{provider.value}: {figures['dump_bytes']} bytes in "
              f"{figures['generate_and_dump_seconds']} s", file=sys.stderr)
        figures.update(_pairs(provider, backup, folder, pairs))
        figures["load_average_after_pairs"] = [round(n, 2) for n in os.getloadavg()]
        if concurrent:
            figures["concurrent"] = _three_at_once(provider, backup, folder)
    return figures


def _pairs(provider: Provider, backup: Path, folder: Path, pairs: int) -> dict[str, object]:
    """Pair 1 runs rehearse first: its run log gives the bare script the pages to ask. After
    each pair (PostgreSQL), the restore alone by the default command: pg_restore without
    --jobs, the yardstick issue 17 sets; the pairs' bare script uses rehearse's --jobs."""
    scenario = sides.write_scenario(folder, provider, backup, LOCAL_IMAGES[provider], SIM,
                                    MEMORY)
    runs: dict[str, list[sides.Side]] = {"rehearse": [], "bare": []}
    defaults: list[sides.Side] = []  # the bare restore by the default command, once a pair
    for n in range(pairs):
        order = ("rehearse", "bare") if n % 2 == 0 else ("bare", "rehearse")
        for side in order:
            if side == "rehearse":
                runs[side].append(sides.rehearse(scenario, folder / "out"))
            else:
                log = runs["rehearse"][0].run_log
                assert log is not None
                work.write(folder / "bare", provider, log)
                runs[side].append(sides.bare(provider, backup, LOCAL_IMAGES[provider],
                                             APPS, MEMORY, folder / "bare"))
            print(f"pair {n + 1} {side}: {runs[side][-1].seconds:.1f} s", file=sys.stderr)
        if provider is Provider.POSTGRESQL:  # MySQL's bare restore is its default command
            defaults.append(sides.bare_default_restore(provider, backup,
                                                       LOCAL_IMAGES[provider], MEMORY))
            print(f"pair {n + 1} default restore: {defaults[-1].phases['restore']:.1f} s",
                  file=sys.stderr)
    return table.summary(runs, defaults)


def _three_at_once(provider: Provider, backup: Path, folder: Path) -> dict[str, object]:
    """Three rehearsals of the same store started together (each its own sandbox)."""
    outputs = [f"together{n}" for n in range(3)]
    paths = [sides.write_scenario(folder, provider, backup, LOCAL_IMAGES[provider], SIM, MEMORY,
                                  output) for output in outputs]
    started = time.monotonic()
    processes = [sides.start_rehearse(path) for path in paths]
    done = [sides.finish_rehearse(p, started, folder / o) for p, o in zip(processes, outputs,
                                                                            strict=True)]
    for output in outputs:
        shutil.rmtree(folder / output, ignore_errors=True)
    return {"seconds": [round(d.reported, 1) for d in done],
            "restore_seconds": [round(d.phases["restore"], 1) for d in done],
            "all_passed": all(d.ok for d in done), "outcomes": [d.outcome for d in done],
            "peak_rss_mib": round(max(d.peak_rss_mib for d in done), 1)}


if __name__ == "__main__":
    main()
