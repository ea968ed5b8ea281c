"""Well-being Mission Dashboard: a Dash multi-page app reading data/build/ only."""
