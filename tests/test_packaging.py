"""What a user installs: the wheel carries every module, the typing marker and the entry point."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORED = ("build", ".git", "node_modules", "*.egg-info", ".tox", ".*_cache", "__pycache__")


def test_the_wheel_ships_the_whole_package(tmp_path: Path) -> None:
    # A clean copy: an in-tree build/ directory would hide a package left out of the config.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*IGNORED))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
        check=True,
        timeout=300,
    )
    [wheel] = tmp_path.glob("pytest_iotcerts-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
        entry_points = next(
            archive.read(name).decode() for name in shipped if name.endswith("entry_points.txt")
        )

    sources = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "pytest_iotcerts").rglob("*")
        if path.suffix in (".py", ".typed") and "__pycache__" not in path.parts
    }
    assert sources - shipped == set()
    assert "[pytest11]" in entry_points
    assert "iotcerts = pytest_iotcerts.plugin" in entry_points
