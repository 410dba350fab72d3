"""Every Python example in the README runs: test examples under pytest, the rest as scripts."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.DOTALL)


def test_the_readme_has_examples() -> None:
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(pytester: pytest.Pytester, index: int) -> None:
    source = BLOCKS[index]
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
