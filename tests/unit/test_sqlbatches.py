from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rehearse.database.sqlbatches import BOM, MAX_REPEAT, SeparatorError, runnable, split


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
    assert second.first_sql == (5, "INSERT INTO a VALUES (1)")


def test_bom_and_empty_batches_are_not_sent_but_comment_only_ones_are() -> None:
    # go-sqlcmd goCommand sends nothing for an empty batch and appends no whitespace-only line
    # (batch.go); a comment is text, so a comment-only batch goes to the server.
    batches = runnable(f"{BOM}GO\n\nGO\n/* only a comment */\nGO\nSELECT 1\n")
    assert [b.sql.strip() for b in batches] == ["/* only a comment */", "SELECT 1"]
    assert [b.number for b in batches] == [1, 2]


_pieces = st.sampled_from([
    "SELECT 1", "GO", " GO", "go\t", "GO 2", "'", "''", "/*", "*/", "--", "[", "]", '"',
    "N'GO'", "\n", "\n", "\n", " ", "x", "GO -- c",
])


@given(st.lists(_pieces, max_size=60).map("".join))
def test_splitting_then_joining_loses_nothing(script: str) -> None:
    try:
        assert joined(script) == script
    except SeparatorError as error:  # a GO sqlcmd rejects: the line named is that GO line
        assert script.split("\n")[error.line - 1].strip().upper().startswith("GO")


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


# --- sqlcmd's documented behaviour, row by row -------------------------------------------------
# "SQL Server Utilities Statements - GO" (learn.microsoft.com): GO [count], count "is a positive
# integer"; a statement cannot share GO's line, a comment can; "; is not permitted after GO".
# go-sqlcmd pkg/sqlcmd/batch_test.go TestBatchNextReset and commands_test.go TestCommandParsing /
# TestCustomBatchSeparator: the rows marked go-sqlcmd are theirs, in this module's terms.
@pytest.mark.parametrize(
    ("script", "sent", "repeats"),
    [
        ("select 1", ["select 1"], [1]),                                       # go-sqlcmd
        ("", [], []),                                                          # go-sqlcmd
        ("select 1 /* comment\nGO", ["select 1 /* comment\nGO"], [1]),         # go-sqlcmd
        ("select '1\n00' \n/* comm\nent*/\nGO 4\n",
         ["select '1\n00' \n/* comm\nent*/\n"], [4]),                          # go-sqlcmd
        ("select '1\nGO\n", ["select '1\nGO\n"], [1]),                         # go-sqlcmd
        ("select 1\n  GO 5 \n", ["select 1\n"], [5]),                          # go-sqlcmd
        ("select 1\nGO -- comment\n", ["select 1\n"], [1]),                    # go-sqlcmd
        ("SELECT @MyMsg = 'Hello, World.'\n"
         "GO -- @MyMsg is not valid after this GO ends the batch.\nPRINT @MyMsg\nGO\n",
         ["SELECT @MyMsg = 'Hello, World.'\n", "PRINT @MyMsg\n"], [1, 1]),
        ("SELECT 1\nGO 2\n", ["SELECT 1\n"], [2]),                             # GO [count]
        ("SELECT 1 GO\n", ["SELECT 1 GO\n"], [1]),          # not alone on its line: plain SQL
        ("SELECT 1\ngo--c\n", ["SELECT 1\n"], [1]),
    ],
)
def test_batches_match_sqlcmd(script: str, sent: list[str], repeats: list[int]) -> None:
    batches = runnable(script)
    assert [b.sql for b in batches] == sent
    assert [b.repeat for b in batches] == repeats


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("GO;", "not a GO sqlcmd accepts"),          # Microsoft's GO page: ; not permitted
        ("GO now", "not a GO sqlcmd accepts"),
        ("GO 2 3", "not a GO sqlcmd accepts"),
        ("GO /* c */", "not a GO sqlcmd accepts"),
        ("GO(", "not a GO sqlcmd accepts"),
        ("GO -1", "not a GO sqlcmd accepts"),
        ("GO \u0663", "not a GO sqlcmd accepts"),     # ARABIC-INDIC DIGIT THREE: not ASCII
        ("GO \uff12", "not a GO sqlcmd accepts"),     # FULLWIDTH DIGIT TWO
        ("GO 0", "count must be 1 to"),              # "a positive integer"
        (f"GO {MAX_REPEAT + 1}", "count must be 1 to"),
        ("GO 99999999999999999999", "count must be 1 to"),
        ("GO\rSELECT 1", "not a GO sqlcmd accepts"),  # a lone CR does not end the GO line
    ],
)
def test_a_go_sqlcmd_rejects_stops_before_any_batch(line: str, reason: str) -> None:
    with pytest.raises(SeparatorError, match=reason) as raised:
        runnable(f"SELECT 1\nGO\n-- two\n{line}\nSELECT 2\n")
    assert raised.value.line == 4


def test_the_largest_count_allowed_is_accepted() -> None:
    (batch,) = runnable(f"SELECT 1\nGO {MAX_REPEAT}\n")
    assert batch.repeat == MAX_REPEAT


@pytest.mark.parametrize("inside", ["\r", "\x0c", "\x0b", "\x1c", "\x85", "\u2028", "\u2029"])
def test_only_lf_and_crlf_end_lines(inside: str) -> None:
    script = f"SELECT 'a{inside}b'\r\nGO\r\n\r\nSELECT 2 /* x{inside}y */\nGO\nSELECT 3\n"
    first, second, third = runnable(script)
    assert (first.first_line, second.first_sql, third.first_sql) == (1, (4, "SELECT 2 /* x"
                                                                        f"{inside}y */"),
                                                                    (6, "SELECT 3"))


def test_batches_are_numbered_and_counted_as_sent() -> None:
    script = "\n".join(["GO", "", "GO", "SELECT 1", "GO", "   ", "GO", "SELECT 2", "GO", ""])
    assert [(b.number, b.sql.strip()) for b in runnable(script)] == [(1, "SELECT 1"),
                                                                     (2, "SELECT 2")]


@pytest.mark.parametrize(
    ("script", "line", "text"),
    [
        ("\n\n-- why\n/* what\n   more */\n  UPDATE t SET x = 1\n", 6, "UPDATE t SET x = 1"),
        ("--/*\nSELECT 1\n--*/\n", 2, "SELECT 1"),
        ("/* a */ SELECT 1\n", 1, "/* a */ SELECT 1"),
        ("-- only a comment\n", 1, "-- only a comment"),
    ],
)
def test_the_line_shown_for_a_batch_is_its_first_sql(script: str, line: int, text: str) -> None:
    (batch,) = runnable(script)
    assert batch.first_sql == (line, text)


@pytest.mark.parametrize(
    "toggle",
    ["--/*\nUPDATE t SET x = 1\n--*/\n", "-- /* off\nUPDATE t SET x = 1\n-- */\n",
     "--/* a\nUPDATE t SET x = 1\n--*/\nGO\n--/*\nUPDATE t SET x = 2\n--*/\n"],
)
def test_the_line_comment_toggle_never_opens_a_block_comment(toggle: str) -> None:
    batches = runnable(toggle)
    assert all("UPDATE" in b.sql and b.code_line for b in batches)
    assert len(batches) == toggle.count("GO\n") + 1


# Every comment form T-SQL has, each one closed so the statement after it stays SQL.
_comments = st.sampled_from([
    "-- c", "--/*", "--*/", "-- /* open", "-- */ close", "--GO", "/* c */", "/* -- c */",
    "/* a\nGO\nb */", "/* /* nested */ */", "/* ' */", "/**/", "/* GO 2 */", "-- 'x",
    "/*--*/", "/* [ */",
])


@given(st.lists(st.tuples(st.lists(_comments, max_size=4), st.booleans()), min_size=1,
                max_size=6))
def test_no_batch_holding_a_statement_is_ever_skipped(parts: list[tuple[list[str], bool]]) -> None:
    bodies = []
    for n, (comments, statement_first) in enumerate(parts):
        lines = ["\n".join(comments)] if comments else []
        statement = f"UPDATE t SET x = {n}"
        bodies.append("\n".join([statement, *lines] if statement_first else [*lines, statement]))
    batches = runnable("\nGO\n".join(bodies) + "\n")
    assert [b.number for b in batches] == list(range(1, len(parts) + 1))
    for n, batch in enumerate(batches):
        assert batch.first_sql[1] == f"UPDATE t SET x = {n}"
