"""pg_restore's progress: items named in its verbose output against the archive's listing."""

from __future__ import annotations

from rehearse.database.restoreprogress import (
    BytesProgress,
    FedProgress,
    ItemProgress,
    archive_items,
    without_progress,
)

LISTING = """;
; Archive created at 2026-12-02 03:31:00 UTC
;     dbname: nopcommerce
3460; 0 0 ENCODING - ENCODING
226; 1259 16390 TABLE public ActivityLog nopcommerce
3300; 0 16390 TABLE DATA public ActivityLog nopcommerce
3301; 0 16400 TABLE DATA public Product nopcommerce
"""


def test_the_listing_counts_items_not_comments() -> None:
    assert archive_items(LISTING) == 4


def test_serial_and_parallel_items_count_once_each_and_report_every_five_percent() -> None:
    seen: list[int] = []
    progress = ItemProgress(40, seen.append)
    for n in range(20):
        progress.feed(f"pg_restore: processing item {n} TABLE T{n}")
        progress.feed(f'pg_restore: creating TABLE "public.T{n}"')
    for n in range(20, 40):
        progress.feed(f"pg_restore: launching item {n} TABLE DATA T{n}")
        progress.feed(f"pg_restore: finished item {n} TABLE DATA T{n}")
        progress.feed(f"pg_restore: finished item {n} TABLE DATA T{n}")  # said twice: once
    assert seen == list(range(5, 105, 5))


def test_an_archive_without_items_does_not_divide_by_zero() -> None:
    seen: list[int] = []
    ItemProgress(0, seen.append).feed("pg_restore: processing item 1 ENCODING ENCODING")
    assert seen == [100]


def test_errors_stand_out_once_the_progress_lines_are_gone() -> None:
    output = ("pg_restore: connecting to database for restore\n"
              "pg_restore: processing item 226 TABLE ActivityLog\n"
              'pg_restore: creating TABLE "public.ActivityLog"\n'
              "pg_restore: error: could not read from input file: end of file")
    assert without_progress(output) == (
        "pg_restore: error: could not read from input file: end of file")


def test_bytes_fed_by_dd_report_against_the_file_size() -> None:
    seen: list[int] = []
    progress = BytesProgress(4_000_000, seen.append)
    for line in ("1048576 bytes (1.0 MB, 1.0 MiB) copied, 1 s, 1.0 MB/s",
                 "2097152 bytes (2.1 MB, 2.0 MiB) copied, 2 s, 1.0 MB/s", "3+1 records in",
                 "ERROR 1064 (42000) at line 1: You have an error in your SQL syntax",
                 "4000000 bytes (4.0 MB, 3.8 MiB) copied, 3.1 s, 1.3 MB/s"):
        progress.feed(line)
    assert seen == [25, 50, 100]


def test_dd_lines_are_progress_too() -> None:
    output = ("3+1 records in\n3+1 records out\n"
              "4000000 bytes (4.0 MB, 3.8 MiB) copied, 3.1 s, 1.3 MB/s\n"
              "ERROR 1273 (HY000) at line 25: Unknown collation: 'utf8mb4_0900_ai_ci'")
    assert without_progress(output) == (
        "ERROR 1273 (HY000) at line 25: Unknown collation: 'utf8mb4_0900_ai_ci'")


def test_a_restore_that_ended_well_reports_100_once_even_if_its_log_fell_short() -> None:
    seen: list[int] = []
    progress = ItemProgress(40, seen.append)
    for n in range(38):  # two items' lines lost to interleaving
        progress.feed(f"pg_restore: finished item {n} TABLE DATA T{n}")
    progress.finished()
    progress.finished()
    assert seen[-2:] == [95, 100] and seen.count(100) == 1


def test_a_restore_already_at_100_does_not_say_it_twice() -> None:
    seen: list[int] = []
    progress = BytesProgress(10, seen.append)
    progress.feed("10 bytes (10 B) copied, 0 s, 1 kB/s")
    progress.finished()
    assert seen == [100]


def test_bytes_fed_by_parallel_clients_add_up() -> None:
    seen: list[int] = []
    progress = FedProgress(400, seen.append)
    for line in ("fed 100", "fed 100", "ERROR 1062 (23000) at line 3: Duplicate entry",
                 "fed 200"):
        progress.feed(line)
    assert seen == [25, 50, 100]
    assert without_progress("fed 100\nERROR 1062 (23000)") == "ERROR 1062 (23000)"
