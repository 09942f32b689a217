"""How rowhash puts an engine's templates together (the engines run them in
tests/integration/test_engine_hashing.py and, where its image exists, tests/live)."""

from __future__ import annotations

from rehearse.database.engines import sqlserver
from rehearse.database.rowhash import Hashing, Kind

TOY = Hashing(text="T({})", number="N({})", integer="I({})", boolean="B({})", present="P({})",
              separator=" ~ ", joined="J({})", digest="H({})", lower="L({})", bigint="W({})")


def test_each_value_is_read_by_its_kind_marked_present_and_joined_in_order() -> None:
    row = TOY.row([("a", Kind.TEXT), ("b", Kind.NUMBER), ("c", Kind.INTEGER),
                   ("d", Kind.BOOLEAN)])
    assert row == "H(J(P(T(a)) ~ P(N(b)) ~ P(I(c)) ~ P(B(d))))"


def test_a_name_is_hashed_in_lower_case() -> None:
    assert TOY.name("n") == "H(L(T(n)))"


def test_a_key_takes_the_masked_hash_above_the_low_bits() -> None:
    assert TOY.key("h", 255, 16, "x") == "(h & W(255)) * 65536 + x"


def test_sql_server_types_the_mask_as_bigint() -> None:
    """T-SQL types an integer literal past 32 bits as numeric, and `bigint & numeric` fails
    (Msg 402): the mask must be cast."""
    key = sqlserver.HASHING.key("h", (1 << 47) - 1, 16, "0")
    assert "& CAST(140737488355327 AS bigint)" in key
