"""The Vision code location: every asset, check, sensor and schedule, with cross-cutting policy applied once."""

from vision_assets.collector import kept_until_exit

# The load keeps nearly all it creates for the process's life: no garbage collection walks it (collector.py).
with kept_until_exit():
    import dagster as dg

    from vision_assets.automation.backfills import warehouse_days_job
    from vision_assets.automation.policies import (
        layer_policies,
        partition_freshness_checks,
        partition_freshness_sensor,
    )
    from vision_assets.automation.schedules import daily_landing_job, daily_landing_schedule
    from vision_assets.automation.sensors import landing_sensors
    from vision_assets.code_versions import with_source_code_versions
    from vision_assets.dashboards import dashboard_assets
    from vision_assets.identity.assets import identity_assets
    from vision_assets.live.assets import live_assets, live_checks
    from vision_assets.predictions.assets import prediction_assets
    from vision_assets.quality.assets import quality_assets
    from vision_assets.raw.assets import raw_assets
    from vision_assets.recommendations.assets import recommendation_assets, recommendation_checks
    from vision_assets.resources import build_resources
    from vision_assets.transform.assets import dbt_model_assets
    from vision_assets.trust.specs import trust_metadata
    from vision_assets.warehouse import warehouse_executor

    assets = [
        *raw_assets,
        *quality_assets,
        *dbt_model_assets,
        *identity_assets,
        *recommendation_assets,
        *prediction_assets,
        *dashboard_assets,
        *live_assets,
    ]
    freshness_checks = partition_freshness_checks(assets)

    defs = (
        dg.Definitions(
            assets=assets,
            asset_checks=[*recommendation_checks, *live_checks, *freshness_checks],
            jobs=[daily_landing_job, warehouse_days_job(not_in_runs=freshness_checks)],
            schedules=[daily_landing_schedule],
            sensors=[
                *landing_sensors,
                partition_freshness_sensor(freshness_checks),
                dg.AutomationConditionSensorDefinition(
                    "downstream_automation_sensor",
                    target=dg.AssetSelection.all(),
                    default_status=dg.DefaultSensorStatus.RUNNING,
                    # Evaluated in the code server: the whole-table models wait on a Python condition
                    # (vision_assets/automation/upstream_settled.py) that the daemon cannot deserialize.
                    use_user_code_server=True,
                    description=(
                        "Evaluates every asset's automation condition: landed days flow through to the "
                        "demand facts, recommendations and dashboards."
                    ),
                ),
            ],
            resources=build_resources(),
            executor=warehouse_executor(),
        )
        .map_asset_specs(func=layer_policies(assets))
        .map_asset_specs(func=trust_metadata())
        .map_asset_specs(func=with_source_code_versions())
    )
