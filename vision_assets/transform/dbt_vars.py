"""How a partition's time window becomes the dbt vars the incremental models filter on."""

import dagster as dg


def dbt_vars_for_window(window: dg.TimeWindow) -> dict[str, str]:
    """The half-open window ``[min_date, max_date)`` as ISO dates, one day or a backfill range at once.

    Partition windows start and end at UTC midnight, so dates are exact; dbt compares them with
    ``>= min_date and < max_date`` so the day after the window is never touched.
    """
    return {"min_date": window.start.date().isoformat(), "max_date": window.end.date().isoformat()}
