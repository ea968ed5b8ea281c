"""The one number formatter: true minus signs, missing values in words, plurals."""
from __future__ import annotations

import numpy as np

from dashboard import formatting as f


def test_numbers_signs_and_missing_values():
    assert f.signed(0.436) == "+0.44" and f.signed(-0.2) == "\u22120.20" and f.signed(0.0) == "0.00"
    assert f.signed(float("nan")) == "no value"
    assert f.number(-0.001, 2) == "0.00"  # no "-0.00"
    assert f.number(1234.5, 1) == "1,234.5" and f.number(12.34, 1, "% of adults") == "12.3%"
    assert f.number(None) == "no value" and f.number("x") == "no value"
    assert f.interval(1, 2, 1) == "1.0 to 2.0" and f.interval(np.nan, 2) == "no CI published"
    assert f.interval(-0.1, 0.2, 2, sign=True) == "\u22120.10 to +0.20"


def test_words():
    assert f.plural(1, "area") == "1 area" and f.plural(2, "area") == "2 areas"
    assert f.plural(1200, "authority", "authorities") == "1,200 authorities"
    assert f.join_words(["a", "b", "c"]) == "a, b and c" and f.join_words(["a"]) == "a"
    assert f.percent(0.873) == "87%"
