"""The Dagster instance the ``vision`` commands read: the one ``DAGSTER_HOME`` names, or else the demo's
under the data folder (``data/dagster_home``, the one ``make run`` and ``make dev`` use)."""

import os

import dagster as dg

from vision_assets.paths import data_dir


def vision_instance() -> dg.DagsterInstance:
    if not os.environ.get("DAGSTER_HOME"):
        os.environ["DAGSTER_HOME"] = str(data_dir() / "dagster_home")
        os.makedirs(os.environ["DAGSTER_HOME"], exist_ok=True)
    return dg.DagsterInstance.get()
