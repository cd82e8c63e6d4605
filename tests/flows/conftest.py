"""One Prefect test harness for every flow test (a server subprocess and a fresh database)."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):  # 30 s is too tight on 2 cores
        # The harness's own set-up leaves SQLite connections for the garbage collector; let
        # them go now rather than in the middle of a test.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()
        yield
