"""The code location's resources: the warehouse's IO manager, the landing zone and dbt."""

from vision_assets import paths
from vision_assets.landing.zone import LandingZone
from vision_assets.transform.project import vision_dbt_resource
from vision_assets.warehouse import warehouse_io_manager


def build_resources() -> dict[str, object]:
    return {
        "io_manager": warehouse_io_manager(),
        "landing_zone": LandingZone(root=str(paths.landing_root())),
        "dbt": vision_dbt_resource(),
    }
