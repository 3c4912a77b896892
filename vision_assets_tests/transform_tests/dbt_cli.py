"""dbt on the command line, as the tests run it: the repository's project and profiles, its own target folder."""

import os
import subprocess
from pathlib import Path

from vision_assets.paths import DBT_PROJECT_DIR
from vision_assets.transform.project import dbt_executable


def run_dbt(args: list[str], target_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """``dbt <args>`` in the project folder with ``env`` added to this process's environment."""
    return subprocess.run(
        [dbt_executable(), *args, "--profiles-dir", ".", "--target-path", str(target_path)],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
