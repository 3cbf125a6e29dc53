"""Benchmarks: `python -m benchmarks [NAME...]` runs them and rewrites their sections of BENCHMARKS.md."""
