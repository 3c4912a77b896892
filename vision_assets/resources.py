"""Resources every environment shares, and the warehouse-specific ones chosen in one place."""

from pathlib import Path

import dagster as dg

from vision_assets import paths
from vision_assets.transform.project import vision_dbt_resource
from vision_assets.warehouse import warehouse_io_manager


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


def build_resources() -> dict[str, object]:
    return {
        "io_manager": warehouse_io_manager(),
        "landing_zone": LandingZone(root=str(paths.landing_root())),
        "dbt": vision_dbt_resource(),
    }
