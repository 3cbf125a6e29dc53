"""Stand-ins for remote services, shared by the tests and the benchmarks (never used in a run)."""
