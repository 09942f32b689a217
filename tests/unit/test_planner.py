from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rehearse import catalog
from rehearse.catalog import Mechanism, Provider, release, resolve
from rehearse.errors import BadInputError
from rehearse.planner import Plan, make_plan
from rehearse.version import Version

SQL, APP = Mechanism.SQL_SCRIPT, Mechanism.APP_MIGRATION


def _versions() -> list[Version]:
    found = []
    for r in catalog.RELEASES:
        found.append(r.line)
        found += [Version(r.line.major, r.line.minor, p) for p in r.patches]
    return found


ALL_VERSIONS = _versions()


def plan(source: str, target: str, provider: Provider = Provider.SQLSERVER,
         stepwise: bool = False) -> Plan:
    return make_plan(resolve(source), resolve(target), provider, stepwise)


def shape(p: Plan) -> list[tuple[str, str, str, str | None]]:
    return [(str(s.source), str(s.target), s.kind.value, s.script or s.image) for s in p.steps]


def test_3_90_to_4_70_runs_every_script_then_one_app_start() -> None:
    assert shape(plan("3.90", "4.70")) == [
        ("3.90", "4.00", "sql-script", "3.90-4.00/upgrade.sql"),
        ("4.00", "4.10", "sql-script", "4.00-4.10/upgrade.sql"),
        ("4.10", "4.20", "sql-script", "4.10-4.20/upgrade.sql"),
        ("4.20", "4.30", "sql-script", "4.20-4.30/upgrade.sql"),
        ("4.30", "4.70", "app-migration", "nopcommerceteam/nopcommerce:4.70.6"),
    ]


def test_stepwise_starts_every_version_in_between() -> None:
    assert shape(plan("4.40.2", "4.70.5", Provider.POSTGRESQL, stepwise=True)) == [
        ("4.40.2", "4.50", "app-migration", "nopcommerceteam/nopcommerce:4.50.4"),
        ("4.50", "4.60", "app-migration", "nopcommerceteam/nopcommerce:4.60.6"),
        ("4.60", "4.70.5", "app-migration", "nopcommerceteam/nopcommerce:4.70.5"),
    ]


def test_a_patch_upgrade_is_one_app_start() -> None:
    assert shape(plan("4.70.1", "4.70.5")) == [
        ("4.70.1", "4.70.5", "app-migration", "nopcommerceteam/nopcommerce:4.70.5")
    ]


@pytest.mark.parametrize(("source", "target"), [("4.50", "4.50"), ("4.70.3", "4.70.3"),
                                                ("4.70.3", "4.70")])
def test_same_version_is_nothing_to_do(source: str, target: str) -> None:
    assert plan(source, target).nothing_to_do


def test_3_x_goes_through_4_00_first() -> None:
    assert [s.target for s in plan("3.80", "4.10").steps][:2] == [Version(3, 90), Version(4, 0)]


def test_4_50_adds_trust_server_certificate_for_sql_server_only() -> None:
    mssql = plan("4.40", "4.50").steps[0].notes
    mysql = plan("4.40", "4.50", Provider.MYSQL).steps[0].notes
    assert any("TrustServerCertificate=True" in note for note in mssql)
    assert not any("TrustServerCertificate" in note for note in mysql)


def test_settings_conversion_is_noted_from_the_stores_files() -> None:
    notes = plan("3.90", "4.70").steps[-1].notes
    assert "settings: Settings.txt (`Key: value` lines) → appsettings.json " \
           "(ConnectionStrings section)" in notes


def test_readme_renames_are_on_their_script_step() -> None:
    steps = plan("3.80", "4.10").steps
    assert any("Shipping.FixedOrByWeight" in n for n in steps[0].notes)
    assert any("Shipping.FixedByWeightByTotal" in n for n in steps[2].notes)


def test_mysql_caveats_only_for_mysql() -> None:
    assert any("#6796" in n for n in plan("4.50", "4.60", Provider.MYSQL).steps[0].notes)
    assert not any("#6796" in n for n in plan("4.50", "4.60", Provider.POSTGRESQL).steps[0].notes)


def test_targets_that_cannot_run_on_linux_are_explained() -> None:
    p = plan("3.90", "4.10")
    assert p.target_image is None
    assert "cannot run in a Linux container" in p.notes[0]


@pytest.mark.parametrize(
    ("source", "target", "provider", "message"),
    [
        ("4.70", "4.50", Provider.SQLSERVER, "downgrade from 4.70 to 4.50"),
        ("4.70.5", "4.70.1", Provider.SQLSERVER, "downgrade from 4.70.5 to 4.70.1"),
        ("4.30", "4.70", Provider.POSTGRESQL, "PostgreSQL is supported from 4.40"),
        ("4.20", "4.70", Provider.MYSQL, "MySQL is supported from 4.30"),
    ],
)
def test_impossible_requests_are_refused(source: str, target: str, provider: Provider,
                                         message: str) -> None:
    with pytest.raises(BadInputError) as caught:
        plan(source, target, provider)
    assert message in caught.value.message
    assert caught.value.hint


def _check_invariants(p: Plan) -> None:
    """What every plan must be, whatever it was asked for."""
    if p.source.line == p.target.line and not p.source < p.target:
        assert p.nothing_to_do
        return
    steps = p.steps
    assert steps[0].source == p.source and steps[-1].target == p.target
    for before, after in itertools.pairwise(steps):
        assert before.target == after.source
        assert before.target < after.target
        assert not (before.kind is APP and after.kind is SQL)
    for step in steps:
        target = release(step.target)
        assert p.provider in target.providers
        if step.kind is SQL:
            assert target.upgrade is SQL and step.image is None
            assert step.script == f"{step.source.line}-{step.target.line}/upgrade.sql"
            assert catalog.lines_after(step.source, step.target) == (target,)
        else:
            assert target.upgrade is APP and target.linux_container and step.script is None
            assert step.image == catalog.image_for(step.target)
    app_steps = [s for s in steps if s.kind is APP]
    if not p.stepwise:
        assert len(app_steps) <= 1
    else:
        assert all(len(catalog.lines_after(s.source, s.target)) <= 1 for s in app_steps)


def test_every_path_between_known_versions_is_valid() -> None:
    for source, target in itertools.combinations_with_replacement(ALL_VERSIONS, 2):
        for provider in release(source).providers:
            for stepwise in (False, True):
                _check_invariants(make_plan(source, target, provider, stepwise))


def _spellings(v: Version) -> list[str]:
    short = f"{v.major}.{v.minor // 10}" if v.minor % 10 == 0 else str(v.line)
    forms = [str(v)] if v.patch is not None else [str(v), short]
    return forms


@given(st.sampled_from(ALL_VERSIONS), st.sampled_from(ALL_VERSIONS),
       st.sampled_from(list(Provider)), st.booleans(), st.data())
def test_any_spelling_plans_the_same_or_is_refused_cleanly(
    a: Version, b: Version, provider: Provider, stepwise: bool, data: st.DataObject
) -> None:
    source = data.draw(st.sampled_from(_spellings(a)))
    target = data.draw(st.sampled_from(_spellings(b)))
    try:
        p = make_plan(resolve(source), resolve(target), provider, stepwise)
    except BadInputError as refused:
        assert refused.hint
        downgrade = b < a and not (b.patch is None and b.line == a.line)
        assert downgrade or provider not in release(a).providers
        return
    _check_invariants(p)
