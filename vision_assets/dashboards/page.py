"""Dashboards as single HTML files that open from disk with no network, and the index that links them.

A page carries everything it needs inline: the Vega, Vega-Lite and vega-embed JavaScript (bundled by the
``vl-convert-python`` package, the way Altair's own ``save(..., inline=True)`` does), every chart's data,
and for the map its country outlines. Opening it sends no request anywhere, so it works on a laptop on a
train, attached to an email, or in an air-gapped office.

Every figure a page shows as a headline comes from ``Dashboard.totals``, which is also what the asset
records in Dagster's metadata and what the tests reconcile against the warehouse to the cent; each
headline tile carries its total's key and exact value (``data-total``, ``data-value``) so a test or a
script can read the page as well as a person can.

This module builds what a page shows; ``vision_assets/pages/templates`` (``dashboard.html.j2``,
``index.html.j2``) write it, with the one stylesheet every page inlines.
"""

import base64
import functools
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import vl_convert

from vision_assets import pages
from vision_assets.dashboards.theme import FORMATS
from vision_assets.landing.contracts import BUSINESS_LINE_NAMES

if TYPE_CHECKING:
    import altair as alt

PANEL_KINDS = ("chart", "map", "table")
# The preview PNG is drawn smaller than the page: it lives in Dagster's event log, inline in markdown.
PREVIEW_SCALE = 0.6


@dataclass(frozen=True)
class Kpi:
    """A headline tile: the total it shows (a key of ``Dashboard.totals``), its label and its format."""

    total: str
    label: str
    format: str = "usd"
    note: str = ""


@dataclass(frozen=True)
class Panel:
    """One block of a page: a chart (or a map) drawn by Vega-Lite, or a table written out as HTML."""

    key: str
    title: str
    description: str
    chart: "alt.TopLevelMixin | None" = None
    table: pd.DataFrame | None = None
    kind: str = "chart"

    def __post_init__(self) -> None:
        if self.kind not in PANEL_KINDS:
            raise ValueError(f"panel kind {self.kind!r} is not one of {PANEL_KINDS}")
        if (self.chart is None) == (self.table is None):
            raise ValueError(f"panel {self.key!r} needs exactly one of a chart or a table")


@dataclass(frozen=True)
class Dashboard:
    """What a dashboard shows, independent of how it is written: the asset and the tests share it."""

    name: str
    title: str
    question: str
    sources: tuple[str, ...]
    window_start: date
    window_end: date
    totals: dict[str, float | int | str]
    kpis: tuple[Kpi, ...]
    panels: tuple[Panel, ...]
    preview: pd.DataFrame
    preview_panel: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    # "day": the window is [window_start, window_end]; "month": the months starting on those days.
    window_grain: str = "day"

    def __post_init__(self) -> None:
        missing = [kpi.total for kpi in self.kpis if kpi.total not in self.totals]
        if missing:
            raise ValueError(f"dashboard {self.name!r} shows totals it does not have: {missing}")
        if self.preview_panel not in {panel.key for panel in self.panels if panel.chart is not None}:
            raise ValueError(f"dashboard {self.name!r} has no chart panel {self.preview_panel!r} to preview")

    @property
    def file_name(self) -> str:
        return f"{self.name}.html"

    @property
    def trust_panel_file_name(self) -> str:
        return trust_panel_file_name(self.name)

    @property
    def window_label(self) -> str:
        if self.window_grain == "month":
            return f"{self.window_start:%B %Y} to {self.window_end:%B %Y} (whole UTC months)"
        return f"{self.window_start:%d %b %Y} to {self.window_end:%d %b %Y} (UTC days)"

    def panel(self, key: str) -> Panel:
        return next(panel for panel in self.panels if panel.key == key)


@dataclass(frozen=True)
class DataFreshness:
    """What a page's header says of its data, from the trust report its asset writes: the last day of data,
    the verdict, and the business lines whose exports are behind (each with the last day they reach)."""

    data_through: date | None
    verdict: str
    lines_behind: dict[str, date | None] = field(default_factory=dict)

    @property
    def named_lines_behind(self) -> list[tuple[str, date | None]]:
        """The lines behind by the names a reader knows them by ("Vision Mart"), with their last day."""
        return [(BUSINESS_LINE_NAMES.get(line, line), day) for line, day in self.lines_behind.items()]


def trust_panel_file_name(name: str) -> str:
    """The page beside a dashboard that says where its figures come from and whether to trust them."""
    return f"{name}.trust.html"


@functools.cache
def vega_lite_version() -> str:
    """The Vega-Lite version Altair writes its specs in ("v6.4.1" -> "6.4"): the bundled library's."""
    import altair as alt  # when a page is written (vision_assets/dashboards/__init__.py)

    return ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


@functools.cache
def vega_javascript() -> str:
    """Vega, Vega-Lite and vega-embed in one script, from the installed vl-convert-python (no download)."""
    return vl_convert.javascript_bundle(vl_version=vega_lite_version())


def _formatted(dashboard: Dashboard, kpi: Kpi) -> str:
    return FORMATS[kpi.format](dashboard.totals[kpi.total])


def _cell_text(value: object, numeric: bool) -> str:
    if not numeric:
        return str(value)
    return f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"


def _table_view(frame: pd.DataFrame) -> dict:
    """A table panel's columns and formatted cells, each marked numeric or not (numbers align right)."""
    numeric = [pd.api.types.is_numeric_dtype(frame[column]) for column in frame.columns]
    return {
        "columns": [
            {"name": str(column), "numeric": is_number}
            for column, is_number in zip(frame.columns, numeric, strict=True)
        ],
        "rows": [
            [
                {"text": "" if pd.isna(value) else _cell_text(value, is_number), "numeric": is_number}
                for value, is_number in zip(record, numeric, strict=True)
            ]
            for record in frame.itertuples(index=False)
        ],
    }


def render_dashboard(
    dashboard: Dashboard, generated_at: datetime | None = None, freshness: DataFreshness | None = None
) -> str:
    """The dashboard as one self-contained HTML document; ``freshness`` heads it when given."""
    kpis = [
        {
            "total": kpi.total,
            "value": dashboard.totals[kpi.total],
            "label": kpi.label,
            "shown": _formatted(dashboard, kpi),
            "note": kpi.note,
        }
        for kpi in dashboard.kpis
    ]
    panels = [
        {
            "key": panel.key,
            "kind": panel.kind,
            "title": panel.title,
            "description": panel.description,
            "table": _table_view(panel.table) if panel.table is not None else None,
        }
        for panel in dashboard.panels
    ]
    specs = {
        f"vis-{panel.key}": panel.chart.to_dict() for panel in dashboard.panels if panel.chart is not None
    }
    return pages.render(
        "dashboard.html.j2",
        dashboard=dashboard,
        kpis=kpis,
        panels=panels,
        specs=specs,
        freshness=freshness,
        generated_at=generated_at or datetime.now(UTC),
        vega_javascript=vega_javascript(),
    )


def render_index(
    summaries: list[dict],
    generated_at: datetime | None = None,
    freshness: DataFreshness | None = None,
    quality: "IndexQuality | None" = None,
) -> str:
    """The index page: the data's freshness, each dashboard's title, question, window and headline figures,
    linked, and what the latest landings held back."""
    return pages.render(
        "index.html.j2",
        summaries=summaries,
        freshness=freshness,
        quality=quality,
        generated_at=generated_at or datetime.now(UTC),
    )


@dataclass(frozen=True)
class IndexQuality:
    """The index's data-quality section: per business line the latest day with every table loaded, and the
    recent table-days an analyst should know of (held back rows, refusals, missing landings), as sentences."""

    latest_complete_day: dict[str, date | None]
    notes: tuple[str, ...]

    @property
    def lines(self) -> list[tuple[str, str, date | None]]:
        """Each business line, the name a reader knows it by, and its latest day with every table loaded."""
        return [
            (line, BUSINESS_LINE_NAMES.get(line, line), day) for line, day in self.latest_complete_day.items()
        ]


def summary_of(dashboard: Dashboard) -> dict:
    """What the index needs about a dashboard, kept beside its page as JSON."""
    return {
        "name": dashboard.name,
        "title": dashboard.title,
        "question": dashboard.question,
        "file_name": dashboard.file_name,
        "window": dashboard.window_label,
        "headline": [(kpi.label, _formatted(dashboard, kpi)) for kpi in dashboard.kpis[:4]],
        "totals": dashboard.totals,
    }


def summary_path(directory: Path, name: str) -> Path:
    return directory / f"{name}.summary.json"


def preview_png(dashboard: Dashboard) -> bytes:
    """A PNG of the dashboard's headline chart, rendered without a browser by vl-convert."""
    return vl_convert.vegalite_to_png(
        dashboard.panel(dashboard.preview_panel).chart.to_dict(),
        scale=PREVIEW_SCALE,
        vl_version=vega_lite_version(),
    )


@dataclass(frozen=True)
class WrittenDashboard:
    page: Path
    preview: Path
    summary: Path
    preview_png: bytes


def write_dashboard(
    dashboard: Dashboard, directory: Path, freshness: DataFreshness | None = None
) -> WrittenDashboard:
    """Write the page, its preview PNG and its summary (for the index) into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    page = directory / dashboard.file_name
    page.write_text(render_dashboard(dashboard, freshness=freshness), encoding="utf-8")
    png = preview_png(dashboard)
    preview = directory / f"{dashboard.name}.png"
    preview.write_bytes(png)
    summary = summary_path(directory, dashboard.name)
    summary.write_text(json.dumps(summary_of(dashboard), indent=2, default=str), encoding="utf-8")
    return WrittenDashboard(page=page, preview=preview, summary=summary, preview_png=png)


def write_index(
    summaries: list[dict],
    directory: Path,
    freshness: DataFreshness | None = None,
    quality: IndexQuality | None = None,
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    page = directory / "index.html"
    page.write_text(render_index(summaries, freshness=freshness, quality=quality), encoding="utf-8")
    return page


def markdown_preview(dashboard: Dashboard, png: bytes | None = None) -> str:
    """The preview Dagster shows: the headline chart as an inline image, then the preview table."""
    image = f"![{dashboard.title}](data:image/png;base64,{base64.b64encode(png).decode()})\n\n" if png else ""
    return image + dashboard.preview.to_markdown(index=False)
