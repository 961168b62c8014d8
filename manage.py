#!/usr/bin/env python
"""Django's command-line utility; `tinhuy` is the same with friendlier names."""

import sys

from tinhuy.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
