"""Pulumi entry point (Pulumi.yaml: main: stacks/): deploy the stage named by the stack."""

import sys
from pathlib import Path

# `pulumi up` runs this file directly; make the repository's packages importable even when the
# project is not installed into the virtualenv.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stacks.program import main  # noqa: E402

main()
