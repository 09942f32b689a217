from __future__ import annotations

from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import get_args

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


SQLSERVER_CHAIN = """\
store:
  version: "4.20"
  provider: sqlserver
  backup: [backups/full.bak, backups/diff.bak, /srv/logs/log1.trn]
  app_data: backups/App_Data
  certificates:
    - {certificate: certs/tde.cer, private_key: certs/tde.pvk, password: "Tde-key pw 42!"}
target: "4.30"
"""


def test_a_backup_list_and_tde_certificates_resolve_beside_the_scenario(tmp_path: Path) -> None:
    scenario = load(write(tmp_path, SQLSERVER_CHAIN))
    assert scenario.store.backup == tmp_path / "backups" / "full.bak"
    assert scenario.store.more_backups == (tmp_path / "backups" / "diff.bak",
                                           Path("/srv/logs/log1.trn"))
    (certificate,) = scenario.store.certificates
    assert certificate.certificate == tmp_path / "certs" / "tde.cer"
    assert certificate.private_key == tmp_path / "certs" / "tde.pvk"
    assert terminal().redact("key Tde-key pw 42!") == "key ********"  # never shown


def test_a_single_backup_still_has_no_more_parts(tmp_path: Path) -> None:
    scenario = load(write(tmp_path, GOOD))
    assert scenario.store.more_backups == () and scenario.store.certificates == ()


# Field values as careless users write them: sizes, durations, paths, versions, images, anything.
_texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
_sizes = st.one_of(st.from_regex(r"\A ?\d{0,6}(\.\d{0,3})? ?[kKmMgGtTbB]?[iI]?[bB]? ?\Z"),
                   st.sampled_from(["two gigs", "1k", "2g", "512", "0m", "-1g", "1e9", "∞"]),
                   st.integers(-10, 10**12), st.floats(), _texts)
_durations = st.one_of(st.floats(), st.integers(-5, 10**12),
                       st.sampled_from(["1", "1s", "10m", ".inf", "-.inf", ".nan"]), _texts)
_paths = st.one_of(_texts, st.sampled_from(["", ".", "/", "a\0b", "x" * 300, "~/shop.bak",
                                            "../../../etc/passwd", "/dev/null"]))
_versions = st.one_of(_texts, st.floats(), st.integers(-5, 500),
                      st.sampled_from(["4.50", "4.5", "4.50.99", "3.90", "10.0", "4.", ""]))
_images = st.one_of(_texts, st.sampled_from(["postgres:16", "UPPER:1", "a:{version}", "a b",
                                             "x@sha256:00", ":", "localhost:5000/a/b:1"]))
_FIELDS: dict[tuple[str, ...], st.SearchStrategy[object]] = {
    ("limits", "database_memory"): _sizes, ("limits", "store_memory"): _sizes,
    ("timeouts", "database_start"): _durations, ("timeouts", "app_start"): _durations,
    ("store", "backup"): _paths, ("store", "app_data"): _paths, ("store", "pictures"): _paths,
    ("scripts",): _paths, ("report", "output"): _paths,
    ("upgrade", "theme"): _paths, ("upgrade", "plugins"): st.lists(_paths, max_size=2),
    ("store", "version"): _versions, ("target",): _versions,
    ("images", "database"): _images, ("images", "nopcommerce"): _images,
    ("checks", "pages"): st.lists(_texts, max_size=2),
    ("checks", "max_row_loss_percent"): _durations,
    ("app_environment",): st.dictionaries(_texts, _texts, max_size=2),
}


def _base() -> dict[str, object]:
    import yaml

    return dict(yaml.safe_load(GOOD))


def _downstream(scenario: object) -> None:
    """What later code does with the values must work too: Docker's size parser, timeouts as
    integers, image names as Docker reads them, paths the file system can look at."""
    import math

    from docker.utils import parse_bytes, parse_repository_tag

    from rehearse.scenario import Scenario

    assert isinstance(scenario, Scenario)
    for size in (scenario.limits.database_memory, scenario.limits.store_memory):
        assert parse_bytes(size) >= 128 * 1024**2
    for seconds in (scenario.timeouts.database_start, scenario.timeouts.app_start):
        assert math.isfinite(seconds) and seconds > 0
    for image in (scenario.images.database, scenario.images.nopcommerce):
        if image is not None:
            parse_repository_tag(image)
    for path in (scenario.store.backup, scenario.store.app_data, scenario.report.output,
                 scenario.upgrade.theme, *scenario.upgrade.plugins):
        if path is not None:
            path.exists()  # raises on what no file system takes (NUL, overlong names)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(_FIELDS)).flatmap(
    lambda keys: st.tuples(st.just(keys), _FIELDS[keys])))
def test_no_field_value_makes_rehearse_fail_internally(field: tuple[tuple[str, ...], object]
                                                       ) -> None:
    import tempfile

    import yaml

    keys, value = field
    data = _base()
    node = data
    for key in keys[:-1]:
        node = node.setdefault(key, {})  # type: ignore[assignment]
    node[keys[-1]] = value
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        try:
            scenario = load(path)
        except BadInputError as error:
            assert error.message and error.hint
            return
        _downstream(scenario)


# Which test shows each scenario field changing what a rehearsal does. A new field needs a line.
_REACH = "test_scenario_fields::test_the_scenarios_settings_reach_the_sandbox_checks_and_reports"
_SAMPLE = "unit.checks.test_store_diff::test_the_sample_is_seeded_active_and_bounded"
_POSTS = ("unit.integrations.test_scenario_attach::"
          "test_on_failure_posts_only_a_run_that_did_not_pass")
FIELD_TESTS = {
    "store.version": "test_run::test_a_clean_upgrade_passes_with_every_report",
    "store.provider": (
        "test_safety::test_a_backup_of_another_provider_is_exit_2_not_a_changed_backup"),
    "store.backup": "test_run::test_a_corrupt_backup_is_exit_2_with_a_report",
    "store.app_data": "test_run::test_lost_settings_show_as_the_install_page",
    "store.pictures": _REACH,
    "target": "test_run::test_bad_scenarios_exit_2_before_anything_starts",
    "stepwise": _REACH,
    "scripts": "test_safety::test_a_missing_upgrade_script_is_exit_2_before_any_container",
    "images.database": "test_run::test_a_clean_upgrade_passes_with_every_report",
    "images.nopcommerce": "test_safety::test_an_image_that_is_not_there_is_exit_3_naming_it",
    "images.pull": "test_safety::test_an_image_that_is_not_there_is_exit_3_naming_it",
    "anonymize": "test_neutralize::test_mail_jobs_and_personal_data",
    "app_environment":
        "test_run::test_a_failing_migration_fails_the_rehearsal_and_posts_to_the_ticket",
    "limits.database_memory": _REACH,
    "limits.store_memory": "test_run::test_running_out_of_memory_is_an_environment_error",
    "timeouts.database_start": "test_safety::test_the_database_start_timeout_is_the_scenarios",
    "timeouts.app_start": "test_scenario_fields::test_the_app_start_timeout_is_the_scenarios",
    "checks.pages": _REACH,
    "checks.search": _REACH,
    "checks.admin.email": "test_run::test_a_wrong_admin_password_fails_the_check",
    "checks.admin.password": "test_run::test_a_wrong_admin_password_fails_the_check",
    "checks.max_row_loss_percent": _REACH,
    "checks.ignore_tables": "test_scenario_fields::test_ignored_tables_do_not_count_lost_rows",
    "report.formats": _REACH,
    "report.output": "test_run::test_a_clean_upgrade_passes_with_every_report",
    "checks.store_diff.enabled": (
        "test_before_after::test_a_migration_that_toggles_on_every_start_fails_the_second_start"),
    "checks.store_diff.allow": (
        "test_before_after::test_an_allowed_difference_passes_and_is_counted"),
    "checks.store_diff.sample": _SAMPLE,
    "checks.store_diff.seed": _SAMPLE,
    "checks.second_start": (
        "test_before_after::test_a_translation_overwritten_with_english_is_named"),
    # SQL Server cannot run here: the effect is shown on the T-SQL and the checks before the start.
    "store.more_backups": ("unit.test_mssql_restore::"
                           "test_a_chain_restores_full_then_newest_differential_then_logs_"
                           "norecovery_until_last"),
    "store.certificates.certificate": (
        "unit.test_mssql_restore::test_certificates_are_created_first_from_the_users_files"),
    "store.certificates.private_key": (
        "unit.test_mssql_restore::test_certificates_are_created_first_from_the_users_files"),
    "store.certificates.password": (
        "unit.test_mssql_restore::test_certificates_are_created_first_from_the_users_files"),
    "store.site": "test_whole_store::test_the_run_agrees_with_the_check",
    "upgrade.plugins": "test_whole_store::test_the_run_agrees_with_the_check",
    "upgrade.theme": "unit.test_cli_check::test_a_theme_without_a_new_build_is_tried_as_is",
    "store.theme": "unit.test_cli_check::test_the_table_gives_each_plugin_its_fate",
    "checks.max_backup_age": "test_nightly::test_a_stale_backup_fails_before_anything_starts",
    "history.enabled": "unit.test_nightly::test_history_off_records_nothing_and_still_estimates",
    "history.last": "test_nightly::test_a_slow_night_and_a_newly_failing_check_are_flagged",
    "history.regressions": (
        "unit.test_nightly::test_a_regression_fails_the_run_when_the_scenario_says_so"),
    "history.slower_min_seconds": (
        "unit.history.test_compare::test_small_or_tiny_slowdowns_are_not_regressions"),
    "history.slower_percent": (
        "unit.history.test_compare::test_small_or_tiny_slowdowns_are_not_regressions"),
    "history.store": "unit.test_nightly::test_tonight_is_remembered_under_the_scenarios_name",
    "history.url": "unit.history.test_database::test_the_scenario_wins_over_the_environment",
    "rollback": "test_nightly::test_two_nights_make_a_history_and_a_window",
    "window.factor": (
        "unit.test_window::test_factor_and_production_speed_scale_the_booking"),
    "window.production_speed": (
        "unit.test_window::test_factor_and_production_speed_scale_the_booking"),
    "window.percentile": "unit.test_window::test_with_history_each_part_is_the_90th_percentile",
    "report.attach.to": _POSTS,
    "report.attach.on": _POSTS,
    "report.attach.base_url": _POSTS,
    "report.attach.update": (
        "unit.integrations.test_scenario_attach::"
        "test_always_with_update_edits_the_earlier_comment_after_a_pass"),
    "store.copy_backup": ("unit.test_mssql_diagnose::"
                          "test_copy_backup_copies_instead_of_mounting_and_skips_the_read_check"),
}


def _leaves(model: type, prefix: str = "") -> set[str]:
    found = set()
    for field in fields(model):
        inner = [a for a in (field.type, *get_args(field.type))
                 if isinstance(a, type) and is_dataclass(a)]
        found |= _leaves(inner[0], f"{prefix}{field.name}.") if inner else {prefix + field.name}
    return found


def test_every_scenario_field_has_a_test_showing_its_effect() -> None:
    import importlib

    from rehearse.scenario import Scenario

    assert _leaves(Scenario) == set(FIELD_TESTS)
    for where in FIELD_TESTS.values():
        module, _, name = where.partition("::")
        package = "tests" if module.startswith("unit.") else "tests.integration"
        found = importlib.import_module(f"{package}.{module}")
        assert callable(getattr(found, name, None)), where
