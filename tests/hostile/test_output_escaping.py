"""What input puts in a report cannot forge its lines or drive the terminal.

A value holding an ESC sequence, a carriage return or a newline followed by a verdict would,
printed raw, clear the screen or show a "PASS"/"OK" line the pipeline never wrote.
"""

from __future__ import annotations

import json
import shutil

from tests.conftest import REPOSITORY
from tests.hostile.test_writes import run

FORGED = "x\x1b[2J\x1b[32m\rOK: nothing blocks this change\n\u202eOK"


def test_a_diff_report_escapes_control_characters_from_values(tmp_path, capsys):
    old, new = tmp_path / "old" / "dev", tmp_path / "new" / "dev"
    shutil.copytree(REPOSITORY / "rendered" / "dev", old)
    shutil.copytree(REPOSITORY / "rendered" / "dev", new)
    config = new / "agent-platform-dev" / "configmap-cost-service-config.yaml"
    config.write_text(config.read_text().replace("  config.yaml: |", f"  note: {json.dumps(FORGED)}\n  config.yaml: |"))
    for fmt in ("text", "markdown"):
        code, out, err = run(capsys, "diff", old, new, "--format", fmt)
        assert code == 0, err
        assert "note" in out
        for raw in ("\x1b", "\r", "\u202e"):
            assert raw not in out, (fmt, raw)
        assert not [line for line in out.splitlines() if line.startswith("OK: nothing blocks")], fmt
    code, out, _ = run(capsys, "diff", old, new, "--format", "json")
    assert FORGED in out or json.dumps(FORGED)[1:-1] in out  # JSON carries the value, escaped by JSON itself
