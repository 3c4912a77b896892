"""The landing zone as a Dagster resource: where the exports arrive, where refused rows and load records go.

Apart from :mod:`vision_assets.resources` (which builds dbt's resource too), so that what only reads the
landing zone, the raw assets and `vision trust` among them, does not import dbt.
"""

from pathlib import Path

import dagster as dg


class LandingZone(dg.ConfigurableResource):
    """The folder the four businesses export into (``<line>/<table>/<day>/``), where refused rows go, and
    where the record of each table-day's load is kept.

    Quarantined rows and load records are kept outside the landing root (``quarantine`` and ``load_reports``
    beside it unless set), so the landing sensors never mistake them for an export.
    """

    root: str
    quarantine: str = ""
    reports: str = ""

    @property
    def root_path(self) -> Path:
        return Path(self.root)

    @property
    def quarantine_path(self) -> Path:
        return Path(self.quarantine) if self.quarantine else Path(self.root).parent / "quarantine"

    @property
    def reports_path(self) -> Path:
        return Path(self.reports) if self.reports else Path(self.root).parent / "load_reports"
