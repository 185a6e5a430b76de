"""Benchmarks: each ``bench_*.py`` module prints markdown tables (``make bench`` runs them all)."""
