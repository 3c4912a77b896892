"""Dashboard 5, content engagement and recommendations: what people read, watch and listen to (by genre,
creator and title), what the recommender offers them, and the popular lists.

Engagement comes from ``demand.fct_content_engagement`` (Books, Flicks, Music); the offers from the
recommendation assets, named through ``marts.dim_product``.
"""

from typing import TYPE_CHECKING

import pandas as pd

from vision_assets.dashboards.page import Dashboard, Kpi, Panel
from vision_assets.dashboards.theme import (
    BUSINESS_LINES,
    CONTENT_LINES,
    LINE_FILTER_EXPR,
    LINE_NAMES,
    cents,
    line_colour,
    line_filter,
    with_line_names,
)

if TYPE_CHECKING:
    import altair as alt

NAME = "content_engagement"
SOURCES = (
    "demand.fct_content_engagement",
    "recommendations.popular_items",
    "recommendations.user_recommendations",
    "recommendations.similar_items",
    "marts.dim_product",
)
ENGAGEMENT_COLUMNS = [
    "activity_month",
    "product_key",
    "business_line",
    "title",
    "genre",
    "creator_name",
    "creator_type",
    "engagement_events",
    "consume_events",
    "engaged_minutes",
    "consumed_minutes",
    "engaged_customers",
]
PRODUCT_COLUMNS = ["product_key", "business_line", "product_name", "category", "creator_name"]
# What this page reads of the recommendation assets (vision_assets/recommendations).
RECOMMENDATION_COLUMNS = ["customer_key", "scope", "rank", "product_key", "source"]
SIMILAR_COLUMNS = ["product_key", "rank", "similar_product_key", "similarity"]
POPULAR_COLUMNS = [
    "popularity_list",
    "business_line",
    "scope",
    "rank",
    "item_type",
    "item_name",
    "creator_name",
    "distinct_customers",
]
# The recommendations' list across all four lines (the others are one line each).
CROSS_LINE_SCOPE = "all_lines"
FALLBACK_SOURCE = "popularity_fallback"
TOP_N = 10
SIMILAR_SHOWN = 3


def _by_line(frame: pd.DataFrame, group: list[str], measures: list[str]) -> pd.DataFrame:
    return with_line_names(frame.groupby(["business_line", *group], as_index=False)[measures].sum())


def _top_per_line(frame: pd.DataFrame, column: str, measure: str, top_n: int = TOP_N) -> pd.DataFrame:
    ranked = frame.sort_values(["business_line", measure, column], ascending=[True, False, True])
    return ranked.groupby("business_line", group_keys=False).head(top_n)


def _engagement_charts(engagement: pd.DataFrame) -> "alt.VConcatChart":
    import altair as alt  # when a chart is drawn (vision_assets/dashboards/__init__.py)

    genres = _by_line(engagement.dropna(subset=["genre"]), ["genre"], ["engaged_minutes", "consume_events"])
    genre_chart = (
        alt.Chart(genres)
        .transform_filter(LINE_FILTER_EXPR)
        .mark_bar()
        .encode(
            y=alt.Y("genre:N", sort="-x", title=None),
            x=alt.X("sum(engaged_minutes):Q", title="Minutes engaged"),
            color=line_colour(CONTENT_LINES),
            tooltip=[
                "genre:N",
                "line:N",
                alt.Tooltip("sum(engaged_minutes):Q", title="Minutes", format=",.0f"),
                alt.Tooltip("sum(consume_events):Q", title="Reads, streams, listens", format=","),
            ],
        )
        .properties(width=320, height=alt.Step(14), title="Minutes by genre")
    )
    creators = _top_per_line(
        _by_line(engagement, ["creator_name", "creator_type"], ["consumed_minutes"]),
        "creator_name",
        "consumed_minutes",
    )
    creator_chart = (
        alt.Chart(creators)
        .transform_filter(LINE_FILTER_EXPR)
        .mark_bar()
        .encode(
            y=alt.Y("creator_name:N", sort="-x", title=None),
            x=alt.X("consumed_minutes:Q", title="Minutes read, watched or listened"),
            color=line_colour(CONTENT_LINES, legend=False),
            tooltip=[
                alt.Tooltip("creator_name:N", title="Creator"),
                alt.Tooltip("creator_type:N", title="Kind"),
                "line:N",
                alt.Tooltip("consumed_minutes:Q", title="Minutes", format=",.0f"),
            ],
        )
        .properties(
            width=280, height=alt.Step(14), title=f"Top {TOP_N} authors, studios and artists per line"
        )
    )
    titles = _top_per_line(
        _by_line(engagement, ["title", "genre"], ["consumed_minutes", "consume_events"]),
        "title",
        "consumed_minutes",
    )
    title_chart = (
        alt.Chart(titles)
        .transform_filter(LINE_FILTER_EXPR)
        .mark_bar()
        .encode(
            y=alt.Y("title:N", sort="-x", title=None),
            x=alt.X("consumed_minutes:Q", title="Minutes read, watched or listened"),
            color=line_colour(CONTENT_LINES, legend=False),
            tooltip=[
                "title:N",
                "genre:N",
                "line:N",
                alt.Tooltip("consumed_minutes:Q", title="Minutes", format=",.0f"),
                alt.Tooltip("consume_events:Q", title="Reads, streams, listens", format=","),
            ],
        )
        .properties(width=280, height=alt.Step(14), title=f"Top {TOP_N} titles per line")
    )
    return alt.hconcat(genre_chart, creator_chart, title_chart).add_params(line_filter(CONTENT_LINES))


def recommended_products(recommendations: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """Each recommendation with the recommended product's line, name and genre or category."""
    return recommendations[RECOMMENDATION_COLUMNS].merge(
        products[PRODUCT_COLUMNS], on="product_key", how="left", validate="many_to_one"
    )


def _offers_against_engagement(offers: pd.DataFrame, engagement: pd.DataFrame) -> "alt.HConcatChart":
    """Genre shares of what is recommended next to genre shares of what people engage with, per line."""
    import altair as alt  # when a chart is drawn (vision_assets/dashboards/__init__.py)

    offered = (
        offers[offers["business_line"].isin(CONTENT_LINES)]
        .groupby(["business_line", "category"], as_index=False)
        .agg(amount=("customer_key", "size"))
    )
    offered = offered.rename(columns={"category": "genre"}).assign(measure="Recommended")
    engaged = engagement.groupby(["business_line", "genre"], as_index=False).agg(
        amount=("engaged_minutes", "sum")
    )
    engaged = engaged.assign(measure="Engaged minutes")
    both = with_line_names(pd.concat([offered, engaged], ignore_index=True))
    both["share"] = both["amount"] / both.groupby(["business_line", "measure"])["amount"].transform("sum")
    shares = (
        alt.Chart(both)
        .transform_filter(LINE_FILTER_EXPR)
        .mark_bar()
        .encode(
            y=alt.Y("genre:N", title=None),
            yOffset=alt.YOffset("measure:N"),
            x=alt.X("mean(share):Q", title="Share within the line", axis=alt.Axis(format="%")),
            color=alt.Color(
                "measure:N",
                title=None,
                scale=alt.Scale(range=["#9aa5b1", "#6f42c1"]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=["genre:N", "measure:N", alt.Tooltip("mean(share):Q", title="Share", format=".1%")],
        )
        .properties(width=360, height=alt.Step(9), title="Genres recommended against genres engaged with")
    )
    cross_line = offers[offers["scope"] == CROSS_LINE_SCOPE]
    sources = with_line_names(
        (cross_line if len(cross_line) else offers)
        .dropna(subset=["business_line"])
        .groupby(["business_line", "source"], as_index=False)
        .agg(recommendations=("customer_key", "size"))
    )
    source_chart = (
        alt.Chart(sources)
        .transform_filter(LINE_FILTER_EXPR)
        .mark_bar()
        .encode(
            y=alt.Y("line:N", title=None, sort=[LINE_NAMES[line] for line in BUSINESS_LINES]),
            x=alt.X("recommendations:Q", stack="zero", title="Recommendations offered"),
            color=alt.Color("source:N", title="Made by", legend=alt.Legend(orient="top")),
            tooltip=["line:N", "source:N", alt.Tooltip("recommendations:Q", format=",")],
        )
        .properties(width=300, height=140, title="Which lines the cross-line lists offer")
    )
    return alt.hconcat(shares, source_chart).add_params(line_filter()).resolve_scale(color="independent")


def _popular_lists(popular: pd.DataFrame) -> "alt.HConcatChart":
    import altair as alt  # when a chart is drawn (vision_assets/dashboards/__init__.py)

    charts = []
    for list_name, title in (
        ("business_line", "Most popular titles and products"),
        ("creator", "Most popular artists, authors, studios and brands"),
        ("genre_ranking", "Most popular genres"),
    ):
        entries = with_line_names(popular[popular["popularity_list"] == list_name])
        entries = entries[entries["rank"] <= TOP_N]
        charts.append(
            alt.Chart(entries)
            .transform_filter(LINE_FILTER_EXPR)
            .mark_bar()
            .encode(
                y=alt.Y("item_name:N", sort="-x", title=None),
                x=alt.X("distinct_customers:Q", title="Customers in the popularity window"),
                color=line_colour(legend=list_name == "business_line"),
                tooltip=[
                    alt.Tooltip("item_name:N", title="Name"),
                    "line:N",
                    alt.Tooltip("rank:Q", title="Rank"),
                    alt.Tooltip("distinct_customers:Q", title="Customers", format=","),
                ],
            )
            .properties(width=260, height=alt.Step(12), title=title)
        )
    return alt.hconcat(*charts).add_params(line_filter())


def _similar_table(similar: pd.DataFrame, products: pd.DataFrame, engagement: pd.DataFrame) -> pd.DataFrame:
    """For each line's most engaged titles, the items the recommender finds most similar."""
    names = products.set_index("product_key")["product_name"]
    leaders = _top_per_line(
        _by_line(engagement, ["product_key", "title"], ["consumed_minutes"]),
        "title",
        "consumed_minutes",
        top_n=3,
    )
    rows = []
    for leader in leaders.itertuples():
        neighbours = (
            similar[similar["product_key"] == leader.product_key].sort_values("rank").head(SIMILAR_SHOWN)
        )
        rows.append(
            {
                "Line": leader.line,
                "People who engaged with": leader.title,
                "also engaged with": "; ".join(
                    f"{names.get(key, key)} ({similarity:.2f})"
                    for key, similarity in zip(
                        neighbours["similar_product_key"], neighbours["similarity"], strict=True
                    )
                )
                or "(no neighbour yet)",
            }
        )
    return pd.DataFrame(rows, columns=["Line", "People who engaged with", "also engaged with"])


def build(
    engagement: pd.DataFrame,
    popular: pd.DataFrame,
    recommendations: pd.DataFrame,
    similar: pd.DataFrame,
    products: pd.DataFrame,
) -> Dashboard:
    """The page from fct_content_engagement, the three recommendation tables and dim_product."""
    if engagement.empty:
        raise ValueError("demand.fct_content_engagement has no rows: there is no engagement to show yet")
    offers = recommended_products(recommendations, products)
    totals: dict[str, float | int | str] = {
        "engaged_minutes": cents(engagement["engaged_minutes"].sum()),
        "consumed_minutes": cents(engagement["consumed_minutes"].sum()),
        "engagement_events": int(engagement["engagement_events"].sum()),
        "titles_engaged": int(engagement["product_key"].nunique()),
        "customers_with_recommendations": int(recommendations["customer_key"].nunique()),
        "recommendations": len(recommendations),
        "distinct_items_recommended": int(recommendations["product_key"].nunique()),
        "fallback_share": round(float((recommendations["source"] == FALLBACK_SOURCE).mean()), 4)
        if len(recommendations)
        else 0.0,
    }
    by_line = engagement.groupby("business_line")["engaged_minutes"].sum()
    for line in CONTENT_LINES:
        totals[f"engaged_minutes.{line}"] = cents(by_line.get(line, 0.0))
    similar_table = _similar_table(similar, products, engagement)
    preview = _top_per_line(
        _by_line(engagement, ["genre"], ["engaged_minutes"]), "genre", "engaged_minutes", 3
    )
    preview = pd.DataFrame(
        {
            "Line": preview["line"],
            "Genre": preview["genre"],
            "Minutes engaged": preview["engaged_minutes"].round(0).astype(int),
        }
    )
    months = pd.to_datetime(engagement["activity_month"])
    return Dashboard(
        name=NAME,
        title="Content engagement and recommendations",
        question="What do people read, watch and listen to, what does the recommender offer them, and what is "
        "popular right now?",
        sources=SOURCES,
        window_start=months.min().date(),
        window_end=months.max().date(),
        window_grain="month",
        totals=totals,
        kpis=(
            Kpi("engaged_minutes", "Minutes engaged", "minutes", note="Books, Flicks and Music"),
            Kpi("engagement_events", "Engagement events", "count"),
            Kpi("titles_engaged", "Titles engaged with", "count"),
            Kpi("customers_with_recommendations", "Customers with recommendations", "count"),
            Kpi("distinct_items_recommended", "Items recommended", "count", note="distinct items offered"),
            Kpi("fallback_share", "Popularity fallback", "percent", note="share of recommendations"),
        ),
        panels=(
            Panel(
                "engagement",
                "Engagement by genre, creator and title",
                "Minutes by genre, and the authors, studios, artists and titles people spend most time with. "
                "Pick one line in the drop-down to isolate it.",
                chart=_engagement_charts(engagement),
            ),
            Panel(
                "recommendations",
                "What the recommender offers",
                "The genres of recommended items against the genres people engage with, and, in the lists "
                "across all four lines, which lines' items are offered and whether they are personal "
                "(collaborative filtering) or the popularity fallback for customers with no history.",
                chart=_offers_against_engagement(offers, engagement),
            ),
            Panel(
                "popular",
                "Popular lists",
                "The recommender's popular lists over its recent window: titles and products, creators and genres "
                "ranked by how many customers engaged with them.",
                chart=_popular_lists(popular),
            ),
            Panel(
                "similar_items",
                "People who engaged with this also engaged with",
                "Item-to-item neighbours of each line's most engaged titles, with their similarity.",
                table=similar_table,
                kind="table",
            ),
        ),
        preview=preview,
        preview_panel="engagement",
        notes=(
            (
                "Minutes and events add up over genres and months; people reached do not (one person counts once "
                "per title and month)."
            ),
            "Recommendations and popular lists are those of the latest recommendation run.",
        ),
    )
