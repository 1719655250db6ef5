"""Benchmarks, run by hand; they print tables (``bench/run.py``), they are not tests."""
