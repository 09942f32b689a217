from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rehearse.catalog import Provider
from rehearse.console import terminal
from rehearse.errors import BadInputError
from rehearse.scenario import json_schema, load

SCENARIOS = Path(__file__).parents[2] / "scenarios"
GOOD = """\
store:
  version: "4.50"
  provider: postgresql
  backup: backups/shop.dump
  app_data: backups/App_Data
target: "4.7"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_minimal_scenario_gets_defaults_and_paths_relative_to_the_file(tmp_path: Path) -> None:
    scenario = load(write(tmp_path, GOOD))
    assert scenario.store.provider is Provider.POSTGRESQL
    assert scenario.target == "4.70" and scenario.store.version == "4.50"
    assert scenario.store.backup == tmp_path / "backups" / "shop.dump"
    assert scenario.report.output == tmp_path / "rehearsal-output"
    assert scenario.report.formats == ("json", "markdown", "html", "junit")
    assert scenario.timeouts.app_start == 1800


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        (GOOD.replace('target: "4.7"', 'target: "4.35"'),
         'scenario.yaml:6: target: unknown nopCommerce version 4.35', "schema"),
        (GOOD.replace("provider: postgresql", "provider: oracle"),
         "scenario.yaml:3: store.provider: Input should be", "expected one of"),
        (GOOD + "colour: blue\n", "scenario.yaml:7: colour: unknown key", "schema"),
        (GOOD.replace("  backup: backups/shop.dump\n", ""),
         "scenario.yaml:1: store.backup: required key is missing", "schema"),
        (GOOD + "checks:\n  max_row_loss_percent: 250\n",
         "scenario.yaml:8: checks.max_row_loss_percent: Input should be less than or equal",
         "schema"),
        ("store: [unclosed\n", "scenario.yaml:2: not valid YAML", "indentation"),
        ("- just\n- a list\n", "a scenario is a mapping", "demo.yaml"),
    ],
)
def test_bad_scenarios_say_file_line_key_and_fix(tmp_path: Path, text: str, message: str,
                                                 hint: str) -> None:
    with pytest.raises(BadInputError) as caught:
        load(write(tmp_path, text))
    assert message in caught.value.message
    assert hint in caught.value.hint


def test_missing_scenario_file(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="does not exist"):
        load(tmp_path / "nope.yaml")


def test_environment_variables_fill_values_and_become_secrets(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOP_ADMIN_PASSWORD", "s3cret-from-env")
    text = GOOD + "checks:\n  admin: {email: a@b.c, password: '${SHOP_ADMIN_PASSWORD}'}\n"
    scenario = load(write(tmp_path, text))
    assert scenario.checks.admin is not None
    assert scenario.checks.admin.password == "s3cret-from-env"
    assert terminal().redact("pw=s3cret-from-env") == "pw=********"


def test_an_unset_variable_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    with pytest.raises(BadInputError, match=r"\$\{NOT_SET_ANYWHERE\} is used but not set"):
        load(write(tmp_path, GOOD.replace("backups/shop.dump", "${NOT_SET_ANYWHERE}")))


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_scenario_is_valid(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOP_ADMIN_PASSWORD", "example")
    monkeypatch.setenv("REHEARSE_HISTORY_PASSWORD", "example")
    scenario = load(path)
    assert scenario.target_version > scenario.source_version


def test_the_schema_describes_every_section() -> None:
    properties = json_schema()["properties"]
    assert {"store", "target", "stepwise", "scripts", "images", "checks", "report"} <= set(
        properties)


_yaml_text = st.text(alphabet=st.sampled_from(list("abc:- \n\"'[]{}#&*!|>%@`0123.${}")),
                     max_size=120)


@settings(max_examples=300, deadline=None)
@given(_yaml_text)
def test_no_input_makes_the_loader_crash(text: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load(path)
        except BadInputError as error:
            assert error.message and error.hint


_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5000), st.floats(allow_nan=True),
                     st.sampled_from(["4.50", "4.7", "x", "", "${HOME}", "postgresql", "9.99"]))
_trees = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(["store", "target", "version", "provider", "backup",
                                     "app_data", "checks", "pages", "report", "formats", "x"]),
                    inner, max_size=4)), max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(_trees)
def test_no_structure_makes_the_loader_crash(tree: object) -> None:
    import tempfile

    import yaml

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.yaml"
        path.write_text(yaml.safe_dump(tree), encoding="utf-8")
        try:
            load(path)
        except BadInputError as error:
            assert error.message and error.hint
