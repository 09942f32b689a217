"""pg_restore's progress: items named in its verbose output against the archive's listing."""

from __future__ import annotations

from rehearse.database.restoreprogress import ItemProgress, archive_items, without_progress

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
