"""Benchmarks: `python -m bench` prints the tables quoted in the README."""
