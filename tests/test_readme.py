"""Every Python example in the README and the docs runs: test examples under pytest, the rest as
scripts."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCKS = {
    f"{page.relative_to(ROOT)}:{number}": block
    for page in PAGES
    for number, block in enumerate(
        re.findall(r"```python\n(.*?)```", page.read_text(), re.DOTALL), start=1
    )
}


def test_the_readme_and_the_docs_have_examples() -> None:
    assert sum(name.startswith("README.md") for name in BLOCKS) >= 2
    assert len(BLOCKS) >= 20


@pytest.mark.parametrize("name", BLOCKS)
def test_example_runs(pytester: pytest.Pytester, name: str) -> None:
    source = BLOCKS[name]
    index = re.sub(r"\W", "_", name)
    if "pytest.mark.asyncio" in source:
        pytest.importorskip("pytest_asyncio")  # in the test extra; not in `tox -e oldest`
    if "def test_" in source:
        pytester.makepyfile(**{f"test_readme_{index}": source})
        result = pytester.runpytest_subprocess("--strict-markers", "-p", "no:cacheprovider")
        outcomes = result.parseoutcomes()
        assert outcomes.get("passed", 0) == source.count("def test_"), result.stdout.str()
        assert result.ret == 0
    else:
        script = pytester.makepyfile(**{f"example_{index}": source})
        result = pytester.run(sys.executable, str(script))
        assert result.ret == 0, result.stderr.str()
