"""The pytest plugin that ``pytest_plugins = ["fmcore.testing"]`` (in a conftest) loads: fixtures for
testing fmcore components."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fmcore.registry import Registry
from fmcore.testing.conformance import devices
from fmcore.testing.isolation import isolated_registry


@pytest.fixture
def fmcore_registry() -> Iterator[Registry]:
    """A registry with only fmcore's built-in plugins, used process-wide during the test: add yours
    with ``fmcore.register_plugin(module, "name")``. The previous registry returns afterwards."""
    with isolated_registry() as registry:
        yield registry


@pytest.fixture(params=devices())
def fmcore_device(request: pytest.FixtureRequest) -> str:
    """Each device to test on, one test per device: ``"cpu"``, and ``"cuda"`` when present."""
    return request.param
