"""How large and how deep a stage file may be: limits no real stage file comes near.

Each limit bounds the work a hostile or broken file can cause (a 50 MB file once took nine
minutes and 2.8 GB to load; a 10 MB string a minute to check; 500 levels of nesting overflowed
the stack), and each is far above what the platform's files hold. Measured on the repository's
files and on the fleet benchmark's largest prod stage (`bench/fleet.py --services 1000`: 334
tenants running 1,000 tenant services):

| what               | largest seen                                  | limit     | margin |
|--------------------|-----------------------------------------------|-----------|--------|
| file size          | 16,467 bytes (fleet prod.yaml; defaults 14,649) | 1 MiB   | 63x    |
| nesting depth      | 7 levels (defaults.yaml)                      | 64        | 9x     |
| string length      | 138 characters (an image reference)           | 64 KiB    | 474x   |
| key length         | 45 characters                                 | 256       | 5x     |

A stage file's strings end up in ConfigMaps, labels and annotations; Kubernetes caps a
ConfigMap at 1 MiB in all, so no single string of a stage needs to come near that, and a file
larger than a ConfigMap cannot be a sensible description of one stage. Keys are names: a
label or ConfigMap key is at most 253 characters (plus a prefix), an environment variable's
name far less.
"""

from __future__ import annotations

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_STRING = 64 * 1024
MAX_KEY = 256
# Problems of one kind listed per file before the rest are counted (a file of 10,000 aliases
# gets twenty lines and a count, not 10,000 lines).
MAX_LISTED = 20


def size_text(count: int) -> str:
    """1048576 -> '1 MiB', 65536 -> '64 KiB', 300 -> '300 bytes'."""
    for unit, size in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count:,} bytes"
