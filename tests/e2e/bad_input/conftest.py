"""The bad-input properties' fixture: one running rig for every example of a test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.harness import Harness, running_harness


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    with running_harness(tmp_path / "plenary.sqlite3") as running:
        yield running
