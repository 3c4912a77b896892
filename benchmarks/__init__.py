"""Vision's benchmarks: a day from landing to the demand facts, through Dagster and in plain DuckDB.

Speed is measured here, not in the tests. ``make bench`` (or ``python -m benchmarks``) simulates the landing
zone at several scales in a temporary folder, runs each step in its own process (so its peak memory is its
own), and writes ``benchmarks/results/<date>.json`` and the table in ``benchmarks/README.md``.
"""
