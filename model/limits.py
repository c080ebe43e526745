"""How large and how deep a stage file may be, and how many problems one report lists.

Each limit bounds the work a hostile or broken file can cause (a 50 MB file once took nine
minutes and 2.8 GB to load, a 10 MB string a minute to check, 500 levels of nesting overflowed
the stack) and each is far above what the platform's files hold. Measured on the repository's
files and on the fleet benchmark's largest prod stage (`bench/fleet.py --services 1000`: 334
tenants running 1,000 tenant services):

| what          | largest seen                                      | limit   | margin |
|---------------|---------------------------------------------------|---------|--------|
| file size     | 16,467 bytes (fleet prod.yaml; defaults.yaml 14,649) | 256 KiB | 16x  |
| nesting depth | 7 levels (defaults.yaml)                          | 64      | 9x     |
| string length | 138 characters (an image reference)               | 64 Ki   | 474x   |
| key length    | 32 characters                                     | 256     | 8x     |
| service instances | 1,013 (fleet prod: 1,000 tenant services + 13) | 3,000 | 3x     |

The file limit is also what keeps the worst file under it to seconds: every kilobyte of release
configuration is rendered into each service's ConfigMap and scanned for secrets, about 40 ms a
kilobyte, so a 256 KiB file of configuration keys renders and checks in about ten seconds (a
1 MiB one took a minute). A stage file's strings end up in ConfigMaps, labels and annotations,
and Kubernetes caps a ConfigMap at 1 MiB in all, so no single string of a stage needs to come
near that. Keys are names: a label or ConfigMap key is at most 253 characters plus a prefix.

Rendering and checking are linear in service instances (platform, training and every tenant's
own), about 16 s a thousand: within 256 KiB, one-line tenants make 12,000 tenants that took six
minutes and 2.7 GB to check. 3,000 instances (three times the largest fleet benchmarked, a
hundred times the repository's prod) check in under a minute.
"""

from __future__ import annotations

from model.errors import Problem

MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 64
MAX_STRING = 64 * 1024
MAX_KEY = 256
MAX_SERVICE_INSTANCES = 3000
# Problems of one kind listed per file before the rest are counted (a file of 10,000 aliases
# gets twenty lines and a count, not 10,000 lines), and problems listed in one report.
MAX_LISTED = 20
MAX_REPORTED = 200


def size_text(count: int) -> str:
    """1048576 -> '1 MiB', 65536 -> '64 KiB', 300 -> '300 bytes'."""
    for unit, size in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count:,} bytes"


def capped(problems: list[Problem]) -> list[Problem]:
    """The first MAX_REPORTED problems, and a count of the rest."""
    if len(problems) <= MAX_REPORTED:
        return problems
    more = Problem(None, "", f"and {len(problems) - MAX_REPORTED:,} more problems (not listed): fix these first")
    return problems[:MAX_REPORTED] + [more]
