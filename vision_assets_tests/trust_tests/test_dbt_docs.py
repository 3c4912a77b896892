"""`dbt docs generate` (what `make docs` runs) works, and the site it writes describes every model."""

import json
import os
import subprocess

import pytest

from vision_assets.paths import DBT_PROJECT_DIR
from vision_assets.transform.project import dbt_executable


@pytest.mark.slow
def test_dbt_docs_generate_writes_a_site_describing_every_model_and_column(tmp_path):
    result = subprocess.run(
        [dbt_executable(), "docs", "generate", "--profiles-dir", ".", "--target-path", str(tmp_path)],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "VISION_DUCKDB_PATH": str(tmp_path / "empty.duckdb")},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "index.html").exists() and (tmp_path / "catalog.json").exists()
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    documented = [node for node in manifest["nodes"].values() if node["resource_type"] in ("model", "seed")]
    assert len(documented) > 30
    for node in [*documented, *manifest["sources"].values()]:
        assert node["description"].strip(), node["unique_id"]
        assert node["columns"], node["unique_id"]
        for name, column in node["columns"].items():
            assert column["description"].strip(), f"{node['unique_id']}.{name}"
