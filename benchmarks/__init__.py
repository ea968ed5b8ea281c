"""Performance benchmarks. Run all with `python -m benchmarks` (or `make bench`); each module can
also run alone (`python -m benchmarks.browser`). Figures are printed, never asserted; every line
carries the load average when it was taken.

Environment: BENCH_QUICK=1 shortens every benchmark to check that it runs (not a measurement);
BENCH_ONLY=build,browser,... runs some of them; the load test also reads BENCH_USERS,
BENCH_SECONDS and BENCH_THINK (0: no pauses between a user's actions); WEB_CONCURRENCY sets the
gunicorn workers as in the Procfile."""
