"""The layer contract (`[tool.importlinter]` in pyproject.toml, run by `make lint`) holds on the real tree, and
bites: a copy of the package with one offending import breaks the contract that forbids it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "referrals"
CONFIG = ROOT / "pyproject.toml"
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def lint_imports(*args: str, pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)} if pythonpath else dict(os.environ)
    return subprocess.run([LINT_IMPORTS, "--config", str(CONFIG), "--no-cache", "--no-logo", *args],
                          capture_output=True, text=True, env=env, cwd=pythonpath or ROOT, timeout=120)


def copy_of_package(tmp_path: Path) -> Path:
    """The package's Python files under tmp_path, which goes first on PYTHONPATH so it shadows the real one."""
    shutil.copytree(PACKAGE, tmp_path / "referrals", ignore=lambda folder, names: [
        name for name in names if name == "__pycache__" or ((Path(folder) / name).is_file() and
                                                            not name.endswith(".py"))])
    return tmp_path


def test_the_real_tree_keeps_every_layer_contract():
    result = lint_imports()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize(
    ("module", "offending_import", "contract", "reported"),
    [
        ("services/offender.py", "from referrals.store.tables import leads", "services-tables",
         "referrals.services.offender -> referrals.store.tables"),
        ("domain/offender.py", "from referrals.store import db", "domain",
         "referrals.domain.offender -> referrals.store.db"),
        ("store/offender.py", "from referrals.services import ingest", "store",
         "referrals.store.offender -> referrals.services.ingest"),
        ("services/offender.py", "from referrals.web import i18n", "services-edges",
         "referrals.services.offender -> referrals.web.i18n"),
        ("web/offender.py", "from referrals.store.tables import leads", "web-tables",
         "referrals.web.offender -> referrals.store.tables"),
        ("services/offender.py", "from referrals.synthetic import sample_lead", "synthetic",
         "referrals.services.offender -> referrals.synthetic"),
        # the two cycles this contract replaced: the pages' words in pages/ while the pages import i18n, and the
        # commands importing the root app that imports them
        ("web/i18n.py", "from referrals.web.pages import base", "acyclic", "- .i18n -> .pages (1 import)"),
        ("cli/common.py", "from referrals.cli import app", "acyclic", "- .common -> .app (1 import)"),
    ],
)
def test_an_offending_import_breaks_its_contract(tmp_path, module, offending_import, contract, reported):
    # given a copy of the package with one offending import added
    root = copy_of_package(tmp_path)
    with (root / "referrals" / module).open("a", encoding="utf-8") as file:
        file.write(f"\n{offending_import}  # noqa\n")

    # when the contract is checked against the copy
    result = lint_imports("--contract", contract, pythonpath=root)

    # then it is broken, and names the import
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert reported in result.stdout
