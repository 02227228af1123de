"""python3 -m hvmharness (from scripts/): the run-xen.sh command line."""
import sys

from .cli import main

sys.exit(main())
