"""The recommender's assets on small hand-made marts in a DuckDB file: interactions, then the model fitted
once, the recommendations scored from the stored model (in another process too), and the holdout
evaluation with its check. Seconds, not the minutes of the end-to-end test in test_assets.py."""

import subprocess
import sys
import textwrap

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import pytest

from vision_assets.paths import REPO_ROOT
from vision_assets.recommendations.assets import recommendation_checks
from vision_assets.recommendations.assets.collaborative_filtering_model import (
    collaborative_filtering_model,
    model_from_table,
)
from vision_assets.recommendations.assets.common import ALL_LINES_SCOPE, TOP_N
from vision_assets.recommendations.assets.recommender_evaluation import (
    beats_popularity_baseline,
    recommender_evaluation,
)
from vision_assets.recommendations.assets.user_recommendations import user_recommendations
from vision_assets.recommendations.assets.weighted_interactions import for_models, weighted_interactions
from vision_assets.recommendations.collaborative import EaseRecommender
from vision_assets.recommendations.popularity import FALLBACK_SOURCE, PERSONAL_SOURCE
from vision_assets.warehouse import VisionDuckDBPandasIOManager

from .conftest import record_ease_fits, record_tunings

FIRST_DAY = pd.Timestamp("2026-10-01")
DAYS = 14
GENRES = ("fantasy", "crime")
PIPELINE = [
    weighted_interactions,
    collaborative_filtering_model,
    user_recommendations,
    recommender_evaluation,
]


def _marts() -> dict[str, pd.DataFrame]:
    """Two tastes, fantasy and crime, each with six books and six films. Each of 24 readers per taste
    reads, streams and buys within it over two weeks; three newcomers have done nothing yet."""
    rng = np.random.default_rng(5)
    products = pd.DataFrame(
        [
            (f"{line}:{genre}-{number}", line, f"{genre} {line} {number}", "title", genre, f"{genre} maker")
            for line in ("books", "flicks")
            for genre in GENRES
            for number in range(6)
        ]
        + [("books:plan-basic", "books", "Basic plan", "membership_plan", None, None)],
        columns=["product_key", "business_line", "product_name", "product_type", "category", "creator_name"],
    ).assign(creator_type="author")
    engagement, sales = [], []
    customers = []
    for genre in GENRES:
        titles = products[products["category"] == genre]["product_key"].to_numpy()
        for number in range(24):
            customer = f"{genre}-fan-{number}"
            customers.append(customer)
            for product in rng.choice(titles, size=6, replace=False):
                line = product.split(":")[0]
                at = FIRST_DAY + pd.Timedelta(hours=int(rng.integers(0, DAYS * 24)))
                account = f"{line}:{customer}"
                kind = ("read", "consume") if line == "books" else ("stream", "consume")
                engagement.append((customer, account, product, line, *kind, at, at.date()))
                if rng.random() < 0.3:
                    sales.append(("order_line", customer, account, product, at, 9.99, line))
    newcomers = ["newcomer-1", "newcomer-2", "newcomer-3"]
    engagement_frame = pd.DataFrame(
        engagement,
        columns=[
            "customer_key",
            "account_key",
            "product_key",
            "business_line",
            "event_type",
            "engagement_category",
            "engaged_at",
            "activity_date",
        ],
    )
    accounts = engagement_frame[["account_key", "customer_key"]].drop_duplicates()
    return {
        "bridge_customer_account": accounts,
        "fct_sales": pd.DataFrame(
            sales,
            columns=[
                "sale_type",
                "customer_key",
                "account_key",
                "product_key",
                "sold_at",
                "net_amount_usd",
                "business_line",
            ],
        ),
        "fct_engagement": engagement_frame,
        "fct_reviews": pd.DataFrame(
            {
                "customer_key": engagement_frame["customer_key"][:20],
                "account_key": engagement_frame["account_key"][:20],
                "product_key": engagement_frame["product_key"][:20],
                "business_line": engagement_frame["business_line"][:20],
                "rating": 5,
                "reviewed_at": engagement_frame["engaged_at"][:20] + pd.Timedelta(hours=1),
            }
        ),
        "dim_product": products,
        "dim_customer": pd.DataFrame(
            {"customer_key": customers + newcomers, "region": "north", "country_code": "NO"}
        ),
    }


def _defs(database, assets) -> dg.Definitions:
    """``assets``, reading whatever they do not build from the warehouse file as it is."""
    keys = {asset.key for asset in assets}
    upstream = {dep for asset in assets for dep in asset.dependency_keys} - keys
    return dg.Definitions(
        assets=[*assets, *(dg.AssetSpec(key) for key in sorted(upstream))],
        asset_checks=[
            check
            for check in recommendation_checks
            if any(check_key.asset_key in keys for check_key in check.check_keys)
        ],
        resources={"io_manager": VisionDuckDBPandasIOManager(database=str(database))},
    )


def _run(database, assets) -> dg.ExecuteInProcessResult:
    defs = _defs(database, assets)
    job = dg.define_asset_job("recommender", selection=dg.AssetSelection.assets(*assets))
    job_def = dg.Definitions.merge(defs, dg.Definitions(jobs=[job])).resolve_job_def("recommender")
    return job_def.execute_in_process(instance=dg.DagsterInstance.ephemeral())


def _query(database, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchdf()


def _metadata(result: dg.ExecuteInProcessResult, key: str) -> dict:
    (event,) = [
        event
        for event in result.get_asset_materialization_events()
        if event.materialization.asset_key == dg.AssetKey(key.split("."))
    ]
    return {name: getattr(value, "value", value) for name, value in event.materialization.metadata.items()}


@pytest.fixture(scope="module")
def marts():
    return _marts()


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory, marts):
    """The four recommender assets materialized in one run, with every EASE fit and what each choice of
    settings looked at recorded."""
    database = tmp_path_factory.mktemp("pipeline") / "warehouse.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema marts")
        for table, frame in marts.items():
            connection.register("frame", frame)
            connection.execute(f"create table marts.{table} as select * from frame")
            connection.unregister("frame")
    with pytest.MonkeyPatch.context() as monkeypatch:
        fits = record_ease_fits(monkeypatch)
        tunings = record_tunings(monkeypatch)
        result = _run(database, PIPELINE)
    return {"database": database, "result": result, "fits": fits, "tunings": tunings}


def test_the_production_model_is_fitted_once_per_run_and_the_evaluation_once_before_its_holdout(pipeline):
    assert pipeline["result"].success
    interactions = for_models(
        _query(pipeline["database"], "select * from recommendations.weighted_interactions")
    )
    # One fit on all interactions (the model asset), one on the days before the holdout (the evaluation);
    # the recommendations asset fits nothing.
    on_everything, before_holdout = sorted(pipeline["fits"], key=len, reverse=True)
    assert len(pipeline["fits"]) == 2
    assert len(on_everything) == len(interactions)
    holdout_start = _query(
        pipeline["database"], "select distinct holdout_start from recommendations.recommender_evaluation"
    )["holdout_start"].item()
    assert pd.to_datetime(before_holdout["occurred_at"]).max() < pd.Timestamp(holdout_start)
    last_day = interactions["occurred_at"].max().normalize()
    assert pd.Timestamp(holdout_start) == last_day - pd.Timedelta(days=6)


def test_the_stored_model_is_the_fitted_model_exactly(pipeline):
    stored = model_from_table(
        _query(pipeline["database"], "select * from recommendations.collaborative_filtering_model")
    )
    interactions = for_models(
        _query(pipeline["database"], "select * from recommendations.weighted_interactions")
    )
    recorded = _metadata(pipeline["result"], "recommendations.collaborative_filtering_model")
    fitted = EaseRecommender(l2=recorded["l2"], dropout=recorded["dropout"]).fit(interactions).model
    assert stored.items.equals(fitted.items)
    np.testing.assert_array_equal(stored.weights, fitted.weights)
    np.testing.assert_array_equal(stored.customers, fitted.customers)
    assert recorded["items_in_model"] == len(fitted.items) == recorded["dagster/row_count"]
    assert recorded["training_seconds"] >= 0 and recorded["training_peak_memory_mb"] > 0


def _trials(recorded: dict) -> pd.DataFrame:
    return pd.DataFrame([record.data for record in recorded["validation_curve"].records])


@pytest.mark.parametrize(
    "key", ["recommendations.collaborative_filtering_model", "recommendations.recommender_evaluation"]
)
def test_both_model_assets_record_the_chosen_settings_and_the_validation_curve(pipeline, key):
    recorded = _metadata(pipeline["result"], key)
    trials = _trials(recorded)
    penalties = trials[trials["step"] == "penalty"]
    assert len(penalties) >= 7 and penalties["l2"].nunique() == len(penalties)
    (chosen,) = trials[trials["chosen"]].itertuples()
    assert chosen.ndcg_at_k == trials["ndcg_at_k"].max() == recorded["validation_ndcg_at_k"]
    assert (chosen.l2, chosen.dropout) == (recorded["l2"], recorded["dropout"])
    assert recorded["validation_trials"] == len(trials) and recorded["validation_customers"] >= 20
    assert f"λ = {recorded['l2']:g}" in recorded["tuning"]


def test_the_holdout_is_never_used_to_choose_the_evaluated_settings(pipeline):
    """The production model chooses on all history; the evaluation on the days before its holdout only."""
    on_everything, before_holdout = sorted(pipeline["tunings"], key=len, reverse=True)
    assert len(pipeline["tunings"]) == 2
    holdout_start = _query(
        pipeline["database"], "select distinct holdout_start from recommendations.recommender_evaluation"
    )["holdout_start"].item()
    assert pd.to_datetime(before_holdout["occurred_at"]).max() < pd.Timestamp(holdout_start)
    assert pd.to_datetime(on_everything["occurred_at"]).max() >= pd.Timestamp(holdout_start)
    recorded = _metadata(pipeline["result"], "recommendations.recommender_evaluation")
    assert pd.Timestamp(recorded["validation_start"]) < pd.Timestamp(holdout_start)


def test_every_customer_gets_new_items_of_their_taste_from_the_stored_model(pipeline, marts):
    recommendations = _query(pipeline["database"], "select * from recommendations.user_recommendations")
    assert set(recommendations["scope"]) == {ALL_LINES_SCOPE, "books", "flicks"}
    assert (recommendations.groupby(["customer_key", "scope"]).size() <= TOP_N).all()
    assert set(recommendations["customer_key"]) == set(marts["dim_customer"]["customer_key"])
    assert "books:plan-basic" not in set(recommendations["product_key"])
    seen = marts["fct_engagement"][["customer_key", "product_key"]]
    assert recommendations.merge(seen, on=["customer_key", "product_key"]).empty
    personal = recommendations[recommendations["source"] == PERSONAL_SOURCE]
    taste = personal["customer_key"].str.split("-").str[0]
    assert (personal["genre"] == taste).mean() > 0.9
    newcomers = recommendations[recommendations["customer_key"].str.startswith("newcomer")]
    assert len(newcomers) and (newcomers["source"] == FALLBACK_SOURCE).all()


def test_recommendations_are_scored_from_the_stored_model_in_another_process(pipeline):
    """A new process, with nothing but the warehouse file: it reads the model and fits nothing."""
    before = _query(pipeline["database"], "select * from recommendations.user_recommendations")
    script = textwrap.dedent(
        f"""
        import sys
        from vision_assets.recommendations.collaborative import EaseRecommender
        from vision_assets.recommendations.assets.user_recommendations import user_recommendations
        from vision_assets_tests.recommendations_tests.test_pipeline import _run

        def no_fit(self, interactions):
            raise AssertionError("the recommendations asset fitted a model")

        EaseRecommender.fit = no_fit
        sys.exit(0 if _run({str(pipeline["database"])!r}, [user_recommendations]).success else 1)
        """
    )
    finished = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    after = _query(pipeline["database"], "select * from recommendations.user_recommendations")
    order = ["customer_key", "scope", "rank"]
    pd.testing.assert_frame_equal(
        before.sort_values(order).reset_index(drop=True), after.sort_values(order).reset_index(drop=True)
    )


def test_the_evaluation_records_both_recommenders_and_its_check_passes(pipeline):
    evaluation = _query(pipeline["database"], "select * from recommendations.recommender_evaluation")
    assert sorted(evaluation["recommender"]) == ["collaborative_filtering", "popularity"]
    assert (evaluation["k"] == TOP_N).all() and (evaluation["evaluated_customers"] > 10).all()
    for metric in ("precision_at_k", "recall_at_k", "ndcg_at_k"):
        assert evaluation[metric].between(0, 1).all()
    recorded = _metadata(pipeline["result"], "recommendations.recommender_evaluation")
    model = evaluation.set_index("recommender").loc["collaborative_filtering"]
    assert recorded["cf_ndcg_at_k"] == pytest.approx(model["ndcg_at_k"], abs=1e-5)
    assert recorded["training_seconds"] >= 0
    (check,) = [
        check
        for check in pipeline["result"].get_asset_check_evaluations()
        if check.check_name == "beats_popularity_baseline"
    ]
    assert check.passed, check.description


def _evaluation(cf: float, popularity: float, customers: int = 50) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "recommender": ["collaborative_filtering", "popularity"],
            "k": TOP_N,
            "precision_at_k": [cf, popularity],
            "recall_at_k": [cf, popularity],
            "ndcg_at_k": [cf, popularity],
            "evaluated_customers": customers,
            "holdout_start": pd.Timestamp("2026-10-08"),
            "holdout_end": pd.Timestamp("2026-10-14"),
        }
    )


def test_beats_popularity_baseline_fails_a_losing_model_and_warns_when_nothing_was_evaluated():
    assert beats_popularity_baseline(_evaluation(0.2, 0.1)).passed
    losing = beats_popularity_baseline(_evaluation(0.1, 0.2))
    assert not losing.passed and losing.severity == dg.AssetCheckSeverity.ERROR
    assert "0.1000 vs popularity 0.2000" in losing.description
    empty = beats_popularity_baseline(_evaluation(0.0, 0.0, customers=0))
    assert not empty.passed and empty.severity == dg.AssetCheckSeverity.WARN
    assert empty.description.startswith("Nothing to evaluate")
