"""Resources every environment shares, and the warehouse-specific ones chosen in one place."""

from pathlib import Path

import dagster as dg

from vision_assets import paths
from vision_assets.transform.project import vision_dbt_resource
from vision_assets.warehouse import warehouse_io_manager


class LandingZone(dg.ConfigurableResource):
    """The folder the four businesses export into (``<line>/<table>/<day>/``), and where refused rows go.

    Quarantined rows are kept outside the landing root (``quarantine`` beside it unless set), so the
    landing sensors never mistake them for an export.
    """

    root: str
    quarantine: str = ""

    @property
    def root_path(self) -> Path:
        return Path(self.root)

    @property
    def quarantine_path(self) -> Path:
        return Path(self.quarantine) if self.quarantine else Path(self.root).parent / "quarantine"


def build_resources() -> dict[str, object]:
    return {
        "io_manager": warehouse_io_manager(),
        "landing_zone": LandingZone(root=str(paths.landing_root())),
        "dbt": vision_dbt_resource(),
    }
