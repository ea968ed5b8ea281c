"""How the build shares out its work: sources slowest first on the two workers with results in
run order, progress bars only on
a terminal, and the same artefacts whether parallel or serial."""
from __future__ import annotations

import json
import sys
import time
import types
from pathlib import Path

import pandas as pd
import pytest

from etl import build as build_mod
from etl import progress, sources
from etl.errors import InputError
from tests.helpers import RAW, raw_copy


def test_slowest_first_from_the_last_build_else_input_size(tmp_path):
    mods = sources.load_all()
    by_size = sorted(mods, key=lambda m: -build_mod._expected_cost(m, RAW, {}))
    # on a clean build the temporary-accommodation workbooks (the most input) go first
    assert by_size[0].__name__.endswith("dluhc_temporary_accommodation")
    timings = {m.__name__.rsplit(".", 1)[-1]: float(i) for i, m in enumerate(mods)}
    by_time = sorted(mods, key=lambda m: -build_mod._expected_cost(m, RAW, timings))
    assert by_time == list(reversed(mods))
    man = tmp_path / "manifest.json"
    man.write_text(json.dumps({"parse_seconds": {"ons_wellbeing": 1.5}}))
    assert build_mod._previous_timings(man) == {"ons_wellbeing": 1.5}
    man.write_text("{not json")
    assert build_mod._previous_timings(man) == {}
    assert build_mod._previous_timings(tmp_path / "missing.json") == {}


def _fake_sources(monkeypatch, seconds: dict[str, float]):
    """Stand-in source modules that sleep, so the fastest finishes first."""
    mods = []
    for name, s in seconds.items():
        def parse(ctx, s=s, name=name):
            time.sleep(s)
            return pd.DataFrame({"who": [name]})

        mod = types.ModuleType(f"fake_sources.{name}")
        mod.INPUTS, mod.parse = [], parse
        monkeypatch.setitem(sys.modules, mod.__name__, mod)  # workers are forked: they see it
        mods.append(mod)
    return mods


def test_results_keep_run_order_whatever_finishes_first(monkeypatch, tmp_path):
    mods = _fake_sources(monkeypatch, {"a_slow": 0.6, "b_fast": 0.0, "c_mid": 0.2})
    ctx = types.SimpleNamespace(extra_tables={}, dropped=[])
    results, sizes, _ = build_mod._run_parallel(ctx, mods, RAW, tmp_path, check_only=True)
    assert list(results) == ["a_slow", "b_fast", "c_mid"]
    assert [df["who"].iloc[0] for df, _, _ in results.values()] == ["a_slow", "b_fast", "c_mid"]
    assert sizes == {}


def _fails():
    raise InputError("some/file.csv", "row 3", "a number", "abc")


def test_progress_quiet_when_not_a_terminal(monkeypatch, capsys):
    monkeypatch.delenv("ETL_PROGRESS", raising=False)
    assert not progress.enabled()  # pytest captures stderr: not a TTY
    with progress.Steps() as steps:
        steps.advance(steps.add("parse", total=2))
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("ETL_PROGRESS", "1")
    assert progress.enabled()


def test_progress_bars_on_a_terminal(monkeypatch, capsys):
    monkeypatch.setenv("ETL_PROGRESS", "1")
    with progress.Steps() as steps:
        bar = steps.add("parse", total=2)
        steps.advance(bar, "parse: ons_wellbeing (0.5 s)")
        steps.advance(bar, "parse: 2 sources")
        steps.advance(steps.add("mission"))
    err = capsys.readouterr().err
    assert "parse: 2 sources" in err and "2/2" in err and "mission" in err


def test_parallel_and_serial_builds_write_the_same_tables(tmp_path, monkeypatch):
    monkeypatch.setenv("ETL_SOURCES", "ons_wellbeing,sport_active_lives")
    raw = raw_copy(tmp_path / "raw")
    outs = {}
    for parallel in ("1", "0"):
        monkeypatch.setenv("ETL_PARALLEL", parallel)
        out = tmp_path / f"out{parallel}"
        build_mod.build(raw, out, log=lambda *a: None)
        outs[parallel] = out
    for f in sorted(p.name for p in outs["1"].iterdir()):
        if f.endswith(".parquet"):
            pd.testing.assert_frame_equal(pd.read_parquet(outs["1"] / f), pd.read_parquet(outs["0"] / f))
        elif f.endswith(".geojson"):
            assert (outs["1"] / f).read_bytes() == (outs["0"] / f).read_bytes()
    assert Path(outs["0"] / "mission_gap.parquet").exists()


def test_a_failing_source_stops_the_parse(monkeypatch, tmp_path):
    mods = _fake_sources(monkeypatch, {"a_bad": 0.0, **{f"s{i}": 0.3 for i in range(10)}})
    ran = tmp_path / "ran"
    ran.mkdir()

    def bad(ctx):
        raise InputError("x/bad.csv", "row 7, column 'value'", "a number", "abc")

    def marking(parse, name):
        def run(ctx):
            (ran / name).touch()
            return parse(ctx)
        return run

    mods[0].parse = bad
    for m in mods[1:]:
        m.parse = marking(m.parse, m.__name__)
    ctx = types.SimpleNamespace(extra_tables={}, dropped=[])
    with pytest.raises(InputError, match=r"bad.csv.*row 7"):
        build_mod._run_parallel(ctx, mods, RAW, tmp_path, check_only=True)
    # the sources still waiting are cancelled; only those already handed to a worker run
    assert len(list(ran.iterdir())) <= 6  # of ten (without cancelling: all ten)
