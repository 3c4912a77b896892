"""Vision's pages (the dashboards, their index and the trust panels), written from Jinja2 templates.

Python builds what a page says (dataclasses, dicts, formatted figures); the templates in ``templates/`` say
how it is written, and Jinja2 escapes every value they print. ``templates/vision.css`` is the pages' one
stylesheet: the base template inlines it, as a page inlines everything else it needs, so each page opens
from disk, offline, as a single file. The charts' colours are Vega's, set in
``vision_assets/dashboards/theme.py``; the stylesheet repeats none of them.
"""

import functools
import json
from datetime import date
from importlib import resources

import jinja2

STYLESHEET = "vision.css"


@functools.cache
def stylesheet() -> str:
    """The pages' one stylesheet, as each page inlines it."""
    return (resources.files(__name__) / "templates" / STYLESHEET).read_text(encoding="utf-8")


def script_json(value: object) -> str:
    """JSON safe inside a <script> element (a "</" in the data cannot close it)."""
    return json.dumps(value, default=str).replace("</", "<\\/")


def state_class(verdict: str) -> str:
    """The class a trust state is styled by: ``failing checks`` -> ``state-failing-checks``."""
    return "state-" + verdict.replace(" ", "-")


def date_label(day: date) -> str:
    return f"{day:%d %b %Y}"


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader(__name__, "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals["stylesheet"] = stylesheet()
    environment.filters.update(script_json=script_json, state=state_class, date_label=date_label)
    return environment


def render(template: str, **context: object) -> str:
    """The page ``template`` (a file of ``templates/``) says, with ``context``'s values escaped."""
    return _environment().get_template(template).render(**context)
