"""Shared fixtures. Every test works in temporary folders: nothing here touches the repository's data/."""

import os
import tempfile

# Before any vision_assets import: module-level resources read these paths.
os.environ["VISION_DATA_DIR"] = tempfile.mkdtemp(prefix="vision-tests-")
os.environ.pop("VISION_WAREHOUSE", None)
