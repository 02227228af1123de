#!/usr/bin/env python3
"""Boot a built Xen with the harness dom0 and run HVM test guests: the
command line of the hvmharness package (scripts/hvmharness/cli.py, or
--help)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hvmharness.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
