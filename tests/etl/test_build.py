"""The build: artefacts, manifest, atomicity on bad input, skipping unchanged inputs, the CLI."""
from __future__ import annotations

import gzip
import json
import pandas as pd
import pytest
from etl import build as build_mod
from etl.errors import InputError
from tests.helpers import raw_copy

ELS = "ons-wellbeing/els_personal-wellbeing-estimates.csv"


def _quick_env(monkeypatch):
    monkeypatch.setenv("ETL_SOURCES", "ons_wellbeing")


def test_artefacts_and_manifest(build_dir):
    for name in build_mod.ARTEFACTS:
        assert (build_dir / name).exists(), name
    man = json.loads((build_dir / "manifest.json").read_text())
    assert man["rows_per_metric"]["mean_life_satisfaction"] > 4000
    assert len(man["inputs"][ELS]["sha256"]) == 64
    obs = pd.read_parquet(build_dir / "observations.parquet")
    assert {"metric_id", "area_code", "geography", "period", "value", "lower", "upper", "status"} <= set(obs.columns)
    assert set(obs.geography) <= {"ltla", "utla", "icb", "aq_zone", "region", "country", "uk"}
    # tables that parsers add (in worker processes) reach the build too
    if (build_dir / "ltla_aq_zone.parquet").exists():
        assert (build_dir / "aq_zones.parquet").exists()

def test_bad_input_leaves_previous_build_untouched(tmp_path, monkeypatch):
    _quick_env(monkeypatch)
    out = tmp_path / "build"
    good = raw_copy(tmp_path / "raw_good")
    build_mod.build(good, out, log=lambda *a: None)
    before = (out / "manifest.json").read_text()
    text = (good / ELS).read_text().replace("lci_95", "lower_95", 1)
    bad = raw_copy(tmp_path / "raw_bad", replace={ELS: text.encode()})
    with pytest.raises(InputError) as e:
        build_mod.build(bad, out, force=True, log=lambda *a: None)
    assert "els_personal-wellbeing-estimates.csv" in str(e.value) and "lci_95" in str(e.value)
    assert (out / "manifest.json").read_text() == before
    assert not list(tmp_path.glob("build.tmp-*"))

def test_missing_file_and_check_mode(tmp_path, monkeypatch):
    _quick_env(monkeypatch)
    raw = raw_copy(tmp_path / "raw", replace={ELS: None})
    with pytest.raises(InputError, match="els_personal-wellbeing-estimates.csv.*missing"):
        build_mod.build(raw, tmp_path / "out", log=lambda *a: None)
    good = raw_copy(tmp_path / "raw2")
    build_mod.build(good, tmp_path / "out2", check_only=True, log=lambda *a: None)
    assert not (tmp_path / "out2").exists()

def test_unchanged_inputs_skip_the_rebuild(tmp_path, monkeypatch):
    _quick_env(monkeypatch)
    raw = raw_copy(tmp_path / "raw")
    out = tmp_path / "out"
    build_mod.build(raw, out, log=lambda *a: None)
    msgs = []
    build_mod.build(raw, out, log=msgs.append)
    assert "up to date" in msgs[0]

def test_cli_exit_code_and_message(tmp_path, monkeypatch, capsys):
    _quick_env(monkeypatch)
    from etl.__main__ import main

    raw = raw_copy(tmp_path / "raw", replace={ELS: b"areacd,areanm\n"})
    assert main(["build", "--raw", str(raw), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "els_personal-wellbeing-estimates.csv" in err and "untouched" in err
