"""Run the command line with ``python -m junheng``."""

from junheng.cli import main

main()
