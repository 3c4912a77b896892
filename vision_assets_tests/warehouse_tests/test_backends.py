"""The warehouse is described once per backend and chosen once: nothing outside ``vision_assets.warehouse``
asks which one it is, its connection settings are the ones dbt's profile reads, and no module of Vision
imports one that imports it back."""

import ast
import re
from pathlib import Path

import pytest
import yaml

import vision_assets
from vision_assets import warehouse
from vision_assets.paths import DBT_PROJECT_DIR

PACKAGE = Path(vision_assets.__file__).parent
WAREHOUSE_PACKAGE = PACKAGE / "warehouse"

# A comparison with a backend's name, or a read of the variable that chooses it.
_ASKS_WHICH_WAREHOUSE = re.compile(
    r"""(==|!=)\s*["'](duckdb|snowflake)["']|["'](duckdb|snowflake)["']\s*(==|!=)|VISION_WAREHOUSE"""
)


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The Vision modules ``name`` imports, at any depth of its code (lazy imports count too)."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + [base]).strip(".")
            # `from package import module` imports the module; `from module import name`, the module.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names
            ]
        else:
            continue
        found.update(target for target in targets if target in known and target != name)
    return found


def test_nothing_outside_the_warehouse_package_asks_which_warehouse_it_is():
    askers = [
        f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}"
        for path in PACKAGE.rglob("*.py")
        if WAREHOUSE_PACKAGE not in path.parents
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if _ASKS_WHICH_WAREHOUSE.search(line)
    ]
    assert not askers, "ask the chosen backend (current_warehouse()) instead:\n" + "\n".join(askers)


def test_no_module_imports_one_that_imports_it_back():
    modules = _modules()
    graph = {name: _imports(name, path, set(modules)) for name, path in modules.items()}
    cycles = []
    for start in graph:
        stack, seen = [(start, [start])], set()
        while stack:
            node, trail = stack.pop()
            for following in graph[node]:
                if following == start:
                    cycles.append(" -> ".join([*trail, start]))
                elif following not in seen:
                    seen.add(following)
                    stack.append((following, [*trail, following]))
    assert not cycles, "import cycles:\n" + "\n".join(sorted(cycles))


def test_the_cycle_finder_sees_a_cycle(tmp_path):
    first, second = tmp_path / "first.py", tmp_path / "second.py"
    first.write_text("from pkg.second import thing\n")
    second.write_text("def f():\n    import pkg.first\n")
    known = {"pkg.first", "pkg.second"}
    assert _imports("pkg.first", first, known) == {"pkg.second"}
    assert _imports("pkg.second", second, known) == {"pkg.first"}


@pytest.mark.parametrize("name", sorted(warehouse.BACKENDS))
def test_each_backend_settings_are_what_its_dbt_target_reads(name):
    backend = warehouse.BACKENDS[name]
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())
    (outputs,) = [entry["outputs"] for entry in profile.values()]
    target = outputs[backend.dbt_target]
    read = {name for value in target.values() for name in re.findall(r"env_var\('([A-Z_]+)'", str(value))}
    assert read and read <= set(backend.settings)
    if name == "snowflake":
        assert read == set(backend.settings)


def test_an_unknown_warehouse_is_refused_with_the_known_ones(monkeypatch):
    monkeypatch.setenv("VISION_WAREHOUSE", "postgres")
    warehouse.current_warehouse.cache_clear()
    try:
        with pytest.raises(ValueError, match="duckdb, snowflake"):
            warehouse.current_warehouse()
    finally:
        monkeypatch.delenv("VISION_WAREHOUSE")
        warehouse.current_warehouse.cache_clear()
    assert warehouse.current_warehouse().name == "duckdb"


def test_the_snowflake_connector_is_not_imported_on_the_embedded_warehouse():
    import subprocess
    import sys

    code = (
        "import sys, vision_assets.definitions; "
        "print(sorted(m for m in sys.modules if m.startswith(('snowflake.connector', 'dagster_snowflake'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
