"""Fixtures for the core's tests: a fresh database and package store in the test's own temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from console.core.packages import PackageStore
from console.core.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """An empty database at the latest schema."""
    store = Store(tmp_path / "lambda-console.sqlite3")
    yield store
    store.close()


@pytest.fixture
def packages(store: Store, tmp_path: Path) -> Iterator[PackageStore]:
    """A package store with Lambda's limits, in `tmp_path / "packages"`."""
    packages = PackageStore(store, tmp_path / "packages")
    yield packages
    packages.close()
