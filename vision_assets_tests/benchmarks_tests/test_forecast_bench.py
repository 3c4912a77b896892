"""The forecast benchmark's table says which targets are met, and copes with levels that have no floor."""

from benchmarks.forecast import render_table


def _results(chosen: float, floor: float | None) -> dict:
    row = {"series": 50, "origins": 3, "horizon_days": 28, "chosen_models": "AutoETS", "chosen": chosen,
           "seasonal_naive": 1.2, "floor": floor, "chosen_over_floor": chosen / floor if floor else None}
    return {
        "finished_at": "2026-12-03T07:00:00+00:00", "machine": {"cores": 2}, "commit": "0123456789", "load_note": "",
        "history": {"first_day": "2025-12-04", "last_day": "2026-12-02"},
        "accuracy": [{**row, "level": "category"}, {**row, "level": "product", "floor": None, "chosen_over_floor": None}],
        "cost": {"364 days, scale 1": {"backtest": {"seconds": 60.0, "peak_memory_mib": 900.0}}},
    }


def test_the_table_marks_each_target_met_or_not():
    met = render_table(_results(chosen=0.85, floor=0.8))
    assert "| category | 50 | 3 x 28 | AutoETS | 0.850 | 1.200 | 0.800 | 1.06 | beats naive: met; within 15 % of floor: met |" in met
    missed = render_table(_results(chosen=1.1, floor=0.8))
    assert "within 15 % of floor: **not met**" in missed
    assert "| product | 50 | 3 x 28 | AutoETS | 1.100 | 1.200 | - | - | beats naive: met |" in missed
    assert "| backtest | 364 days, scale 1 | 60.0 | 900 MiB |" in met


def test_the_targets_are_judged_on_every_seed_and_on_their_mean():
    results = _results(chosen=0.85, floor=0.8)

    def levels(line_ratio: float, category_ratio: float) -> list[dict]:
        return [
            {"level": "business_line", "chosen_over_floor": line_ratio},
            {"level": "category", "chosen_over_floor": category_ratio},
            {"level": "company", "chosen_over_floor": 2.0},
        ]

    results["accuracy_by_seed"] = {7: levels(1.18, 1.12), 41: levels(1.10, 1.20), 43: levels(1.12, 1.154)}
    table = render_table(results)
    assert "| chosen / floor | seed 7 | seed 41 | seed 43 | mean | within 15 % of floor |" in table
    assert "| business_line | 1.180 | 1.100 | 1.120 | 1.133 | on average: met; 2 of 3 seeds |" in table
    assert "| category | 1.120 | 1.200 | 1.154 | 1.158 | on average: **not met**; 1 of 3 seeds |" in table
    assert "| company |" not in table.split("| chosen / floor | seed")[1]  # no floor target there
    results["accuracy_by_seed"] = {7: levels(1.18, 1.12)}
    assert "| chosen / floor | seed" not in render_table(results)  # one seed: the main table says it all
