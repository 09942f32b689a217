from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rehearse.database.sqlbatches import BOM, runnable, split


def joined(script: str) -> str:
    return "".join(batch.sql + batch.separator for batch in split(script))


@pytest.mark.parametrize(
    "separator", ["GO\n", "go\n", " GO\n", "GO\t\n", "\tGo  \n", "GO -- next batch\n", "GO\r\n"]
)
def test_separator_variants_of_the_real_scripts(separator: str) -> None:
    batches = runnable(f"SELECT 1\n{separator}SELECT 2\n")
    assert [b.sql.strip() for b in batches] == ["SELECT 1", "SELECT 2"]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT 'a\nGO\nb'\n",                    # inside a string literal
        "SELECT 'it''s\nGO\n'\n",                 # after an escaped quote
        "/* a\nGO\n*/ SELECT 1\n",                # inside a block comment
        "/* a /* nested */\nGO\n*/ SELECT 1\n",   # nested block comments stay open
        "SELECT [weird\nGO\nname]\n",             # inside a bracketed identifier
        'SELECT "weird\nGO\nname"\n',             # inside a quoted identifier
        "GOTO label\nSELECT 1\n",                 # a word starting with GO
        "SELECT 1 GO\n",                          # not alone on its line
    ],
)
def test_go_never_splits_where_sqlcmd_would_not(text: str) -> None:
    assert len(runnable(text)) == 1


def test_line_comment_does_not_hide_the_next_line() -> None:
    assert len(runnable("SELECT 1 -- ' unbalanced quote in a comment\nGO\nSELECT 2\n")) == 2


def test_go_with_a_count_repeats_the_batch() -> None:
    (batch,) = runnable("INSERT INTO t VALUES (1)\nGO 5\n")
    assert batch.repeat == 5


def test_line_ranges_point_into_the_file() -> None:
    script = f"{BOM}-- header\nCREATE TABLE a (x int)\nGO\n\nINSERT INTO a VALUES (1)\n" \
             "INSERT INTO a VALUES (2)\nGO\n"
    first, second = runnable(script)
    assert (first.first_line, first.last_line) == (1, 2)
    assert (second.first_line, second.last_line) == (4, 6)
    assert second.number == 2
    assert second.head(1) == "INSERT INTO a VALUES (1)"


def test_bom_and_blank_batches_are_not_sent() -> None:
    batches = runnable(f"{BOM}GO\n\nGO\n/* only a comment */\nGO\nSELECT 1\n")
    assert [b.sql.strip() for b in batches] == ["SELECT 1"]


_pieces = st.sampled_from([
    "SELECT 1", "GO", " GO", "go\t", "GO 2", "'", "''", "/*", "*/", "--", "[", "]", '"',
    "N'GO'", "\n", "\n", "\n", " ", "x", "GO -- c",
])


@given(st.lists(_pieces, max_size=60).map("".join))
def test_splitting_then_joining_loses_nothing(script: str) -> None:
    assert joined(script) == script


@given(st.lists(st.sampled_from(["SELECT 1", "x = 'a'", "-- note", "/* c */"]), min_size=1,
                max_size=8))
def test_n_batches_joined_by_go_split_back_into_n(statements: list[str]) -> None:
    script = "\nGO\n".join(statements) + "\n"
    batches = split(script)
    assert [b.sql.strip() for b in batches] == statements


@given(st.text(alphabet="GOgo \t\n'", max_size=30))
def test_go_inside_a_string_literal_never_splits(inner: str) -> None:
    literal = "'" + inner.replace("'", "''") + "'"
    script = f"SELECT {literal}\n"
    assert len(split(script)) == 1
