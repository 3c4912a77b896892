"""The landing zone as a Dagster resource: where the exports arrive, where refused rows and load records go.

Apart from :mod:`vision_assets.resources` (which builds dbt's resource too), so that what only reads the
landing zone, the raw assets and `vision trust` among them, does not import dbt.
"""

from pathlib import Path

import dagster as dg

from vision_assets.landing.storage import landing_path


class LandingZone(dg.ConfigurableResource):
    """Where the four businesses export to (``<line>/<table>/<day>/``), where refused rows go, and where the
    record of each table-day's load is kept.

    Each is a local folder or an object-store URL (``s3://bucket/landing``, ``gs://``, ``az://``; see
    :mod:`vision_assets.landing.storage`). Quarantined rows and load records are kept outside the landing
    root (``quarantine`` and ``load_reports`` beside it unless set), so the landing sensors never mistake
    them for an export.
    """

    root: str
    quarantine: str = ""
    reports: str = ""

    @property
    def root_path(self) -> Path:
        return landing_path(self.root)

    @property
    def quarantine_path(self) -> Path:
        return landing_path(self.quarantine) if self.quarantine else self.root_path.parent / "quarantine"

    @property
    def reports_path(self) -> Path:
        return landing_path(self.reports) if self.reports else self.root_path.parent / "load_reports"
