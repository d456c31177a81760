"""Benchmarks run by `make bench`; each prints figures next to targets and same-run baselines."""
