"""`python -m pipeline`: the console script's entry, signals handled before anything heavy is imported."""

import sys

from pipeline.signals import console_script

sys.exit(console_script())
