"""The diff and preview as JSON: the whole structured diff, for machines and for merging."""

from __future__ import annotations

import json

from pipeline.preview import Preview


def render(preview: Preview, allow_disruptive: bool = False) -> str:
    return json.dumps(preview.as_dict(allow_disruptive), indent=2, sort_keys=False) + "\n"
