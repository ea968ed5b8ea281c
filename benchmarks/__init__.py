"""Performance benchmarks. Run all with `python -m benchmarks` (or `make bench`); each module can
also run alone (`python -m benchmarks.build`). Figures are printed, never asserted."""
