"""Entry point of the policy pack: `pulumi preview --policy-pack policies` runs this file."""

import sys
from pathlib import Path

# The CLI runs this file directly; make the repository importable even when not installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policies.pack import serve  # noqa: E402

serve()
