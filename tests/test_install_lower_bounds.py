"""`pip install .` with every runtime dependency at its lower bound: the same tests as test_install.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_install import install
from tests.test_install import test_every_command_starts as test_every_command_starts  # noqa: F401
from tests.test_install import test_render_check_diff_status_and_docs_run as test_render_check_diff_status_and_docs_run  # noqa: F401,E501

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    return install(tmp_path_factory, "lower-bounds")
