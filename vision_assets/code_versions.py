"""Code versions for the Python assets, taken from the source that computes them.

dbt models get theirs from dagster-dbt (a hash of the compiled SQL). A Python asset's code version is a
hash of the package that computes it, so the Dagster UI shows "code version changed" after its code
changed and an analyst can tell which code built the data now in the table; a hand-kept "1" would never
be bumped.
"""

import hashlib
from collections.abc import Callable
from functools import cache
from pathlib import Path

import dagster as dg

PACKAGE = Path(__file__).parent

# Which packages (or modules) compute each Python layer. The raw tables are shaped by the landing contracts
# and loader; the forecast's calendar features by the shared retail calendar.
LAYER_PACKAGES = {
    "raw": ("raw", "landing"),
    "recommendations": ("recommendations",),
    "analytics": ("recommendations",),
    "predictions": ("predictions", "calendar.py"),
    "dashboards": ("dashboards", "predictions", "calendar.py"),
}


@cache
def source_hash(*packages: str) -> str:
    digest = hashlib.sha256()
    for package in packages:
        source = PACKAGE / package
        for path in [source] if source.is_file() else sorted(source.rglob("*.py")):
            digest.update(path.relative_to(PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def with_source_code_versions() -> Callable[[dg.AssetSpec], dg.AssetSpec]:
    """The spec mapper for ``Definitions.map_asset_specs``: a source hash as each Python asset's code version."""

    def with_code_version(spec: dg.AssetSpec) -> dg.AssetSpec:
        packages = LAYER_PACKAGES.get(spec.key.path[0])
        # An asset whose package is not its layer's (identity resolution's) declares its own.
        if packages is None or "dbt" in spec.kinds or spec.code_version:
            return spec
        return spec.replace_attributes(code_version=source_hash(*packages))

    return with_code_version
