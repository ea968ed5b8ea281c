.PHONY: run test build bench
run:    ## install and serve the dashboard on the bundled data
	bash scripts/run.sh
test:   ## install test dependencies (Python, chromium, PostgreSQL) and run every test
	bash scripts/test.sh
build:  ## rebuild data/build from data/raw
	.venv/bin/python -m etl build
bench:  ## performance benchmarks (prints a summary)
	.venv/bin/python -m benchmarks
