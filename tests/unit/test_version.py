from __future__ import annotations

import pytest

from rehearse.errors import BadInputError
from rehearse.version import Version


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4.7", Version(4, 70)),
        ("4.70", Version(4, 70)),
        ("4.70.5", Version(4, 70, 5)),
        ("3.9", Version(3, 90)),
        ("4.00", Version(4, 0)),
        ("4.0", Version(4, 0)),
        (" v4.50.1 ", Version(4, 50, 1)),
    ],
)
def test_parse_accepts_the_ways_people_write_versions(text: str, expected: Version) -> None:
    assert Version.parse(text) == expected


@pytest.mark.parametrize("text", ["", "4", "four.seventy", "4.700", "4.70.x", "4.70.5.1", "-4.70"])
def test_parse_refuses_non_versions_with_a_hint(text: str) -> None:
    with pytest.raises(BadInputError) as caught:
        Version.parse(text)
    assert "not a nopCommerce version" in caught.value.message
    assert "4.70.5" in caught.value.hint


@pytest.mark.parametrize(
    ("text", "shown"), [("4.7", "4.70"), ("4.0", "4.00"), ("4.70.5", "4.70.5"), ("3.9", "3.90")]
)
def test_str_is_the_canonical_form(text: str, shown: str) -> None:
    assert str(Version.parse(text)) == shown


def test_ordering_puts_a_line_before_its_patches() -> None:
    ordered = [Version(3, 90), Version(4, 0), Version(4, 70), Version(4, 70, 0), Version(4, 70, 5),
               Version(4, 80)]
    assert sorted(reversed(ordered)) == ordered


def test_line_drops_the_patch() -> None:
    assert Version(4, 70, 5).line == Version(4, 70)
