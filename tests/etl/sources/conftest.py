"""Parsed real bundled files, once per session (the `ctx` fixture is the root conftest's)."""
from __future__ import annotations

import copy

import pytest

from etl.schema import validate_observations
from etl.sources import (defra_air_quality, defra_flytipping, dfe_absence, dfe_cla, dfe_neet,
                         dluhc_temporary_accommodation, nhs_rtt, ons_els_indicators, ons_health_index,
                         sport_active_lives)
from tests.etl.sources.support import RAW, load_ctx


@pytest.fixture(scope="session")
def els(ctx):
    return ons_els_indicators.parse(ctx)


@pytest.fixture(scope="session")
def hi(ctx):
    return ons_health_index.parse(ctx)


@pytest.fixture(scope="session")
def sport(ctx):
    return sport_active_lives.parse(ctx)


@pytest.fixture(scope="session")
def ta(ctx):
    return dluhc_temporary_accommodation.parse(ctx)


@pytest.fixture(scope="session")
def fly(ctx):
    return defra_flytipping.parse(ctx)


@pytest.fixture(scope="session")
def cla(ctx):
    return validate_observations(dfe_cla.parse(ctx))


@pytest.fixture(scope="session")
def absence(ctx):
    return validate_observations(dfe_absence.parse(ctx))


@pytest.fixture(scope="session")
def neet(ctx):
    return validate_observations(dfe_neet.parse(ctx))


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
