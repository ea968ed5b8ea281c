"""Parsed real bundled files, once per session (the `ctx` fixture is the root conftest's)."""
from __future__ import annotations

import copy

import pytest

from etl.schema import validate_observations
from etl.sources import (defra_air_quality, defra_flytipping, dfe_absence, dfe_cla, dfe_neet,
                         dluhc_temporary_accommodation, nhs_rtt, ons_els_indicators, ons_health_index,
                         sport_active_lives)
from tests.etl.sources.support import RAW, load_ctx


def _parsed(source, validated: bool = False):
    """A session fixture (named by the variable it is assigned to): `source` parsed from the real
    bundled files, checked against the observations schema when `validated`."""
    def parsed(ctx):
        out = source.parse(ctx)
        return validate_observations(out) if validated else out

    return pytest.fixture(scope="session")(parsed)


els = _parsed(ons_els_indicators)
hi = _parsed(ons_health_index)
sport = _parsed(sport_active_lives)
ta = _parsed(dluhc_temporary_accommodation)
fly = _parsed(defra_flytipping)
cla = _parsed(dfe_cla, validated=True)
absence = _parsed(dfe_absence, validated=True)
neet = _parsed(dfe_neet, validated=True)


@pytest.fixture(scope="module")
def ctx_aq():
    ctx = copy.copy(load_ctx())
    ctx.extra_tables = {}
    defra_air_quality.extend_areas(ctx)
    return ctx


@pytest.fixture(scope="module")
def air(ctx_aq):
    return validate_observations(defra_air_quality.parse(ctx_aq))


@pytest.fixture(scope="module")
def icb_map():
    return nhs_rtt.icb_ods_map(RAW.resolve())
