"""Run the command line with ``python -m junheng.cli``."""

from junheng.cli import main

main()
