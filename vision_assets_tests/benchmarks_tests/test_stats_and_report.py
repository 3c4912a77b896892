"""The benchmark harness's arithmetic and its writers, on made-up figures (no simulation, no dbt)."""

import json
from datetime import datetime

import pytest

from benchmarks import report
from benchmarks.stats import LinearCost, fit_fixed_marginal, ratio, size_adjusted_ratio, summarize


def test_summary_is_median_and_relative_spread():
    summary = summarize([12.0, 10.0, 11.0])
    assert summary.median == 11.0
    assert (summary.low, summary.high) == (10.0, 12.0)
    assert summary.spread == pytest.approx(2.0 / 11.0)
    assert summary.as_dict()["samples"] == [12.0, 10.0, 11.0]


def test_summary_of_nothing_is_an_error():
    with pytest.raises(ValueError, match="no samples"):
        summarize([])


def test_fit_recovers_fixed_and_marginal_cost_of_an_exact_line():
    rows = [7_000, 70_000, 210_000]
    seconds = [9.0 + 40.0 * r / 1e6 for r in rows]
    cost = fit_fixed_marginal(rows, seconds)
    assert cost.fixed_seconds == pytest.approx(9.0)
    assert cost.marginal_seconds_per_million_rows == pytest.approx(40.0)
    assert cost.seconds_for(1_000_000) == pytest.approx(49.0)
    assert cost.points == 3


def test_size_adjusted_history_ratio_takes_out_the_longer_days_own_size():
    cost = LinearCost(fixed_seconds=1.0, marginal_seconds_per_million_rows=100.0, points=3)
    # At 5,000 rows the fit predicts 1.5 s, at 10,000 rows 2.0 s: a short-history day of 1.5 s would take
    # 2.0 s at the long day's size, so a long-history day of 3.0 s is 1.5 times that.
    assert size_adjusted_ratio(3.0, 1.5, 10_000, 5_000, cost) == pytest.approx(1.5)
    # A day that took exactly what its size predicts did not grow with the history.
    assert size_adjusted_ratio(2.0, 1.5, 10_000, 5_000, cost) == pytest.approx(1.0)
    assert size_adjusted_ratio(2.0, 0.0, 10_000, 5_000, cost) is None


def test_fit_is_least_squares_through_noisy_points():
    # Points (0, 1), (1, 2), (2, 6): slope 2.5, intercept 0.5 by least squares.
    cost = fit_fixed_marginal([0, 1_000_000, 2_000_000], [1.0, 2.0, 6.0])
    assert cost.marginal_seconds_per_million_rows == pytest.approx(2.5)
    assert cost.fixed_seconds == pytest.approx(0.5)


def test_fit_needs_two_row_counts():
    with pytest.raises(ValueError, match="two different row counts"):
        fit_fixed_marginal([5, 5], [1.0, 2.0])
    with pytest.raises(ValueError, match="2 row counts but 1"):
        fit_fixed_marginal([5, 6], [1.0])


def test_ratio_without_a_positive_denominator_is_none():
    assert ratio(3.0, 1.5) == 2.0
    assert ratio(3.0, 0.0) is None
    assert ratio(3.0, -1.0) is None


def test_load_note_says_when_the_machine_was_shared():
    assert "shared" in report.load_note(2, (3.2, 2.0, 1.0), (0.5, 0.5, 0.5))
    assert "quiet" in report.load_note(2, (0.3, 0.2, 0.1), (0.6, 0.5, 0.5))


def test_results_are_written_by_date_without_overwriting(tmp_path):
    when = datetime(2026, 11, 26, 21, 0)
    first = report.write_results({"a": 1}, tmp_path, when)
    second = report.write_results({"a": 2}, tmp_path, when)
    assert first.name == "2026-11-26.json"
    assert second.name == "2026-11-26-2.json"
    assert json.loads(first.read_text()) == {"a": 1}


def _results() -> dict:
    summary = summarize([20.0, 22.0, 21.0]).as_dict()
    floor = summarize([1.0, 1.0]).as_dict()
    scale = {
        "scale": 1,
        "day_rows": 7000,
        "dagster_day": summary,
        "floor_day": floor,
        "dagster_to_floor": 21.0,
        "backfill": summary,
        "backfill_rows_per_second": 10_000.0,
        "dagster_day_peak_mb": 500.0,
        "floor_day_peak_mb": 200.0,
        "backfill_peak_mb": 900.0,
    }
    return {
        "finished_at": "2026-11-26 21:00 UTC",
        "wall_minutes": 25.0,
        "command": "make bench",
        "machine": {
            "cores": 2,
            "cpu": "Test CPU",
            "memory_gib": 24.0,
            "python": "3.11.2",
            "packages": {"dagster": "1.13.0", "dbt-core": "1.11.0", "duckdb": "1.4.0"},
        },
        "load_note": "The machine was quiet.",
        "scales": [scale, {**scale, "scale": 10, "day_rows": 70_000}],
        "fits": {
            "dagster": {"fixed_seconds": 19.0, "marginal_seconds_per_million_rows": 30.0, "points": 2},
            "floor": {"fixed_seconds": 0.5, "marginal_seconds_per_million_rows": 10.0, "points": 2},
            "marginal_ratio": 3.0,
        },
        "history": {
            "scale": 1,
            "short_scale": 1.6,
            "long_history_days": 364,
            "short_history_days": 30,
            "long": summary,
            "short": summary,
            "floor_long": floor,
            "floor_short": floor,
            "floor_ratio": 1.0,
            "ratio_per_row": 1.0,
            "short_day_rows": 7000,
            "ratio": 1.0,
            "day_rows": 7000,
        },
        "code_location_load": summary,
        "targets": [{"name": "fixed cost under 15 s", "measured": "19.0 s", "met": False}],
        "skipped": ["scale 30: no time left."],
    }


def test_table_shows_every_scale_the_fit_the_targets_and_what_was_skipped():
    table = report.render_table(_results())
    assert "| | scale 1 | scale 10 |" in table
    assert "| rows landed in the measured day | 7,000 | 70,000 |" in table
    assert "21.0 s (±5 %)" in table
    assert "19.0 s fixed + 30.0 s per million landed rows" in table
    assert "0.5 s fixed + 10.0 s per million landed rows" in table
    assert "fixed cost under 15 s — 19.0 s: **not met**" in table
    assert "Skipped: scale 30: no time left." in table
    assert "364 days of history against 30 (simulated at scale 1.6, the scale that lands about" in table
    # Both days have 7,000 rows in the made-up history, so scaling to size changes nothing.
    assert "Scaled by each path's fit to the long history's day size: 1.00 through Dagster" in table
    assert "Test CPU" in table and "The machine was quiet." in table


def test_readme_table_is_replaced_between_the_markers_only(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\nBefore.\n\n{report.TABLE_START}\nold\n{report.TABLE_END}\n\nAfter.\n")
    report.update_readme(readme, "new table")
    assert readme.read_text() == (
        f"# Title\n\nBefore.\n\n{report.TABLE_START}\nnew table\n{report.TABLE_END}\n\nAfter.\n"
    )


def test_readme_without_markers_is_refused(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n")
    with pytest.raises(ValueError, match="markers"):
        report.update_readme(readme, "table")


def test_history_target_fails_when_either_path_grows_with_the_history():
    from benchmarks.harness import _targets

    fits = {
        "dagster": {"fixed_seconds": 9.0, "marginal_seconds_per_million_rows": 12.0, "points": 2},
        "floor": {"fixed_seconds": 0.5, "marginal_seconds_per_million_rows": 10.0, "points": 2},
        "marginal_ratio": 1.2,
    }
    hidden_by_fixed_cost = {"ratio": 0.9, "floor_ratio": 4.2}
    targets = {target["name"].split(" (")[0]: target for target in _targets(fits, hidden_by_fixed_cost)}
    assert targets["marginal cost within 1.5× of plain DuckDB's"]["met"] is True
    assert targets["fixed cost of a day's run under 15 s"]["met"] is True
    history = targets["a day's cost does not grow with the history"]
    assert history["met"] is False
    assert history["measured"] == "0.90 through Dagster, 4.20 in plain DuckDB"


def test_the_short_history_is_simulated_at_the_scale_that_lands_the_long_days_rows():
    """A year-old business lands more rows a day than a 31-day one at the same scale; rows grow linearly
    with the scale, so the short history's scale is the base scale times the ratio of the two days' rows."""
    from benchmarks.harness import matched_scale

    assert matched_scale(1, 13_737, 8_431) == 1.63
    assert matched_scale(0.25, 2_000, 2_000) == 0.25
    assert matched_scale(2, 9_000, 12_000) == 1.5


def test_repeated_measurements_take_turns_so_a_drift_of_the_machine_falls_on_each_alike():
    from benchmarks.harness import alternate

    order = []

    def measurement(name):
        def measure():
            order.append(name)
            return {"name": name, "run": order.count(name)}

        return measure

    short, long = alternate(3, measurement("short"), measurement("long"))

    assert order == ["short", "long"] * 3
    assert [run["run"] for run in short] == [1, 2, 3] and {run["name"] for run in short} == {"short"}
    assert [run["run"] for run in long] == [1, 2, 3] and {run["name"] for run in long} == {"long"}
    assert alternate(2, measurement("alone")) == [[{"name": "alone", "run": 1}, {"name": "alone", "run": 2}]]


def test_alternated_day_runs_each_start_from_their_own_warehouses_saved_dbt_parse(tmp_path):
    """dbt's saved parse holds for one warehouse file; alternating two, each run must find its own, or it
    pays a whole parse (seen in the first alternated benchmark: every history run parsed)."""
    from benchmarks.harness import Runner, _dagster_day, _keep_parse_state, alternate

    state = tmp_path / "source" / "vision_dbt" / "target" / "duckdb" / "partial_parse.msgpack"
    state.parent.mkdir(parents=True)
    seen = []

    class DbtLikeRunner(Runner):
        def run(self, step, arguments, *, data_dir=None, landing=None, label):
            seen.append((label, state.read_text()))
            state.write_text(f"parsed for {data_dir.name}")  # what a build leaves: its warehouse's state
            return {"seconds": 1.0}

    runner = DbtLikeRunner(tmp_path / "work", source_dir=tmp_path / "source")
    short, long = tmp_path / "short", tmp_path / "long"
    for data_dir in (short, long):  # each backfill leaves its warehouse's state, then keeps a copy
        data_dir.mkdir()
        state.write_text(f"parsed for {data_dir.name}")
        _keep_parse_state(runner, data_dir)

    alternate(2, _dagster_day(runner, short, tmp_path, "short"), _dagster_day(runner, long, tmp_path, "long"))

    assert seen == [(label, f"parsed for {label}") for label in ("short", "long", "short", "long")]


def test_the_identity_table_judges_the_targets_at_the_largest_scale():
    from benchmarks import identity

    def run(scale, precision, recall, merges, seconds):
        scores = {"precision": precision, "recall": recall, "false_merges": merges, "false_merge_share": merges / 1000,
                  "split_people": 3, "seconds": seconds, "threshold": 0.8, "scored_pairs": 10}
        return {"scale": scale, "people": 1000, "accounts": 2300, "model": scores,
                "exact_rule": {**scores, "recall": 0.8}, "peak_memory_mb": 500.0}

    runs = [run(1, 1.0, 0.99, 0, 5.0), run(30, 0.999, 0.97, 0, 20.0)]
    targets = identity.judge(runs)
    assert {target["name"]: target["met"] for target in targets} == {
        "pairwise precision": True, "pairwise recall": False, "false merges": True, "resolution time": True,
    }
    assert all(target["scale"] == 30 for target in targets)
    table = identity.render_table({
        "finished_at": "2026-12-02T12:00:00+00:00", "commit": "abcdef0123", "load_note": "Quiet.",
        "machine": {"cores": 2, "cpu": "test"}, "scales": runs, "targets": targets,
    })
    assert "| Splink model: recall | 99.00% | 97.00% |" in table
    assert "pairwise recall at least 98% — 97.00%: **not met**" in table


def test_the_startup_table_says_which_targets_are_not_met():
    from benchmarks.startup import render_table

    results = {
        "finished_at": "2026-12-02T16:00:00+00:00",
        "commit": "abcdef1234",
        "machine": {"cores": 2, "cpu": "a test CPU"},
        "load_note": "",
        "measured": {
            "instance": "an empty instance",
            "definitions_import": {"median_s": 2.5, "runs_s": [2.5]},
            "trust_cold": {"median_s": 6.0, "runs_s": [6.0]},
            "trust_warm": {"median_s": 1.2, "runs_s": [1.2]},
        },
    }
    rows = {line.split(" | ")[0]: line for line in render_table(results).splitlines() if line.startswith("| ")}
    assert rows["| import vision_assets.definitions"].endswith("under 3 s: met |")
    (cold,) = [row for label, row in rows.items() if "cold" in label]
    (warm,) = [row for label, row in rows.items() if "warm" in label]
    assert cold.endswith("under 5 s: **not met** |")
    assert warm.endswith("under 2 s: met |")
