"""Dashboards as single HTML files that open from disk with no network, and the index that links them.

A page carries everything it needs inline: the Vega, Vega-Lite and vega-embed JavaScript (bundled by the
``vl-convert-python`` package, the way Altair's own ``save(..., inline=True)`` does), every chart's data,
and for the map its country outlines. Opening it sends no request anywhere, so it works on a laptop on a
train, attached to an email, or in an air-gapped office.

Every figure a page shows as a headline comes from ``Dashboard.totals``, which is also what the asset
records in Dagster's metadata and what the tests reconcile against the warehouse to the cent; each
headline tile carries its total's key and exact value (``data-total``, ``data-value``) so a test or a
script can read the page as well as a person can.
"""

import base64
import functools
import html
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import altair as alt
import pandas as pd
import vl_convert

from vision_assets.dashboards.theme import FORMATS
from vision_assets.landing.contracts import BUSINESS_LINE_NAMES

# The Vega-Lite version Altair writes its specs in ("v6.4.1" -> "6.4"), so the bundled library matches.
VEGA_LITE_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
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
    chart: alt.TopLevelMixin | None = None
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


def _freshness_html(freshness: DataFreshness | None) -> str:
    if freshness is None:
        return ""
    through = f"Data through {freshness.data_through:%d %b %Y}" if freshness.data_through else "No dated data yet"
    behind = "".join(
        f" · <strong>{html.escape(BUSINESS_LINE_NAMES.get(line, line))} is behind</strong>: its data ends "
        + (f"{day:%d %b %Y}" if day else "before any day here")
        for line, day in freshness.lines_behind.items()
    )
    return (
        f'<p class="freshness {html.escape(freshness.verdict.replace(" ", "-"))}" '
        f'data-through="{freshness.data_through or ""}" data-verdict="{html.escape(freshness.verdict)}" '
        f'data-lines-behind="{html.escape(",".join(freshness.lines_behind))}">{through} ({html.escape(freshness.verdict)})'
        f"{behind}</p>"
    )


def trust_panel_file_name(name: str) -> str:
    """The page beside a dashboard that says where its figures come from and whether to trust them."""
    return f"{name}.trust.html"


@functools.cache
def vega_javascript() -> str:
    """Vega, Vega-Lite and vega-embed in one script, from the installed vl-convert-python (no download)."""
    return vl_convert.javascript_bundle(vl_version=VEGA_LITE_VERSION)


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element (a "</" in the data cannot close it)."""
    return json.dumps(value, default=str).replace("</", "<\\/")


def _formatted(dashboard: Dashboard, kpi: Kpi) -> str:
    return FORMATS[kpi.format](dashboard.totals[kpi.total])


_STYLE = """
:root { --ink: #1f2933; --muted: #616e7c; --rule: #e4e7eb; --panel: #ffffff; --page: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: var(--ink); background: var(--page); }
header { padding: 20px 32px 8px; }
header h1 { margin: 4px 0; font-size: 26px; }
header p { margin: 2px 0; color: var(--muted); }
nav a { color: #1f5fa8; text-decoration: none; font-size: 14px; }
main { padding: 8px 32px 32px; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0 20px; }
.kpi { background: var(--panel); border: 1px solid var(--rule); border-radius: 8px; padding: 10px 14px;
       min-width: 170px; }
.kpi .label { color: var(--muted); font-size: 13px; }
.kpi .value { font-size: 22px; font-weight: 600; }
.kpi .note { color: var(--muted); font-size: 12px; }
section.panel { background: var(--panel); border: 1px solid var(--rule); border-radius: 8px;
                padding: 14px 18px; margin: 0 0 18px; overflow-x: auto; }
section.panel h2 { margin: 0 0 4px; font-size: 18px; }
section.panel p.description { margin: 0 0 10px; color: var(--muted); max-width: 960px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border-bottom: 1px solid var(--rule); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f0f4f8; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
footer { padding: 0 32px 28px; color: var(--muted); font-size: 13px; }
footer li { margin: 2px 0; }
a.trust { color: #1f5fa8; text-decoration: none; font-size: 13px; }
p.freshness { font-weight: 600; color: #1b7f3b; }
p.freshness.stale, p.freshness.never-materialized { color: #b26a00; }
p.freshness.failing-checks { color: #b42318; }
.vega-bind { margin: 4px 0 8px; font-size: 14px; }
.vega-bind select { font-size: 14px; }
ul.dashboards { list-style: none; padding: 0; display: grid; gap: 14px;
                grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); }
ul.dashboards > li { background: var(--panel); border: 1px solid var(--rule); border-radius: 8px; padding: 14px 18px; }
ul.figures { padding-left: 18px; margin: 6px 0 0; }
p.window { color: var(--muted); font-size: 13px; }
ul.dashboards h2 { margin: 0 0 6px; font-size: 18px; }
ul.dashboards a { color: #1f5fa8; text-decoration: none; }
"""


def _cell_text(value: object, numeric: bool) -> str:
    if not numeric:
        return str(value)
    return f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"


def _table_html(frame: pd.DataFrame) -> str:
    head = "".join(
        f'<th class="{"number" if pd.api.types.is_numeric_dtype(frame[column]) else ""}">{html.escape(str(column))}</th>'
        for column in frame.columns
    )
    rows = []
    for record in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, record, strict=True):
            numeric = pd.api.types.is_numeric_dtype(frame[column])
            text = "" if pd.isna(value) else _cell_text(value, numeric)
            cells.append(f'<td class="{"number" if numeric else ""}">{html.escape(text)}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def render_dashboard(
    dashboard: Dashboard, generated_at: datetime | None = None, freshness: DataFreshness | None = None
) -> str:
    """The dashboard as one self-contained HTML document; ``freshness`` heads it when given."""
    generated_at = generated_at or datetime.now(UTC)
    kpis = "".join(
        f'<div class="kpi" data-total="{html.escape(kpi.total)}" '
        f'data-value="{html.escape(str(dashboard.totals[kpi.total]))}">'
        f'<div class="label">{html.escape(kpi.label)}</div>'
        f'<div class="value">{html.escape(_formatted(dashboard, kpi))}</div>'
        + (f'<div class="note">{html.escape(kpi.note)}</div>' if kpi.note else "")
        + "</div>"
        for kpi in dashboard.kpis
    )
    trust = (
        f'<a class="trust" href="{html.escape(dashboard.trust_panel_file_name)}">'
        "Can I trust this? Sources, freshness and checks</a>"
    )
    sections, specs = [], {}
    for panel in dashboard.panels:
        body = (
            f'<div class="vis" id="vis-{panel.key}"></div>'
            if panel.chart is not None
            else _table_html(panel.table)
        )
        if panel.chart is not None:
            specs[f"vis-{panel.key}"] = panel.chart.to_dict()
        sections.append(
            f'<section class="panel" id="{panel.key}" data-panel="{panel.key}" data-kind="{panel.kind}">'
            f"<h2>{html.escape(panel.title)}</h2>"
            f'<p class="description">{html.escape(panel.description)}</p>{body}<p>{trust}</p></section>'
        )
    notes = "".join(f"<li>{html.escape(note)}</li>" for note in dashboard.notes)
    sources = ", ".join(f"<code>{html.escape(source)}</code>" for source in dashboard.sources)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(dashboard.title)} · Vision</title>
<style>{_STYLE}</style>
<script>{vega_javascript()}</script>
</head>
<body data-dashboard="{html.escape(dashboard.name)}" data-rendered="pending">
<header>
<nav><a href="index.html">&larr; All Vision dashboards</a> · {trust}</nav>
<h1>{html.escape(dashboard.title)}</h1>
<p>{html.escape(dashboard.question)}</p>
<p>Window: {html.escape(dashboard.window_label)} · generated {generated_at:%Y-%m-%d %H:%M} UTC · amounts in USD</p>
{_freshness_html(freshness)}
</header>
<main>
<div class="kpis">{kpis}</div>
{"".join(sections)}
</main>
<footer>
<p>Every number on this page is read from the Vision warehouse: {sources}.</p>
{f"<ul>{notes}</ul>" if notes else ""}
</footer>
<script>
const specs = {_script_json(specs)};
window.dashboardViews = {{}};
const drawn = Object.entries(specs).map(([id, spec]) =>
  vegaEmbed("#" + id, spec, {{renderer: "svg", actions: false}})
    .then((result) => {{ window.dashboardViews[id.slice(4)] = result.view; }}));
window.dashboardReady = Promise.all(drawn).then(
  () => {{ document.body.dataset.rendered = "done"; }},
  (error) => {{ document.body.dataset.rendered = "failed"; console.error(error); }});
</script>
</body>
</html>
"""


def render_index(
    summaries: list[dict],
    generated_at: datetime | None = None,
    freshness: DataFreshness | None = None,
    quality: "IndexQuality | None" = None,
) -> str:
    """The index page: the data's freshness, each dashboard's title, question, window and headline figures,
    linked, and what the latest landings held back."""
    generated_at = generated_at or datetime.now(UTC)
    items = []
    for summary in summaries:
        figures = "".join(
            f"<li>{html.escape(label)}: <strong>{html.escape(value)}</strong></li>"
            for label, value in summary["headline"]
        )
        items.append(
            f'<li data-dashboard="{html.escape(summary["name"])}">'
            f'<h2><a href="{html.escape(summary["file_name"])}">{html.escape(summary["title"])}</a></h2>'
            f"<p>{html.escape(summary['question'])}</p>"
            f'<p class="window">{html.escape(summary["window"])}</p><ul class="figures">{figures}</ul></li>'
        )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vision dashboards</title>
<style>{_STYLE}</style>
</head>
<body data-dashboard="index" data-rendered="done">
<header>
<h1>Vision dashboards</h1>
<p>Books, Flicks, Music and Mart in one warehouse. Each page opens from disk with no network.</p>
<p>Generated {generated_at:%Y-%m-%d %H:%M} UTC</p>
{_freshness_html(freshness)}
</header>
<main><ul class="dashboards">{"".join(items)}</ul>
{_quality_html(quality)}
</main>
</body>
</html>
"""


@dataclass(frozen=True)
class IndexQuality:
    """The index's data-quality section: per business line the latest day with every table loaded, and the
    recent table-days an analyst should know of (held back rows, refusals, missing landings), as sentences."""

    latest_complete_day: dict[str, date | None]
    notes: tuple[str, ...]


def _quality_html(quality: IndexQuality | None) -> str:
    if quality is None:
        return ""
    lines = "".join(
        f'<tr data-line="{html.escape(line)}"><td>{html.escape(BUSINESS_LINE_NAMES.get(line, line))}</td>'
        f"<td>{f'{day:%d %b %Y}' if day else 'none yet'}</td></tr>"
        for line, day in quality.latest_complete_day.items()
    )
    notes = "".join(f"<li>{html.escape(note)}</li>" for note in quality.notes) or "<li>Nothing held back.</li>"
    return (
        '<section class="panel" id="data-quality" data-panel="data-quality"><h2>Data quality of the landings</h2>'
        '<p class="description">From analytics.data_quality: the latest day each business line landed in full, '
        "and what its recent landings held back (quarantined rows keep their reason, refused days the file and "
        "the problem).</p>"
        f"<table><thead><tr><th>business line</th><th>every table loaded through</th></tr></thead>"
        f"<tbody>{lines}</tbody></table><ul class=\"quality\">{notes}</ul></section>"
    )


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
        vl_version=VEGA_LITE_VERSION,
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
