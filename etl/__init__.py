"""ETL: bundled publisher files in data/raw -> validated tidy tables in data/build."""
