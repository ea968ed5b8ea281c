"""Well-being Mission Dashboard: a Dash multi-page app reading data/build/ only."""
import warnings

import pandas as pd

# The app makes many small per-request selections; pandas 3's pyarrow-backed strings make
# those row takes several times slower than plain object arrays, so the app opts out.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    pd.set_option("future.infer_string", False)
