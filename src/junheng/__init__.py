"""Junheng: monitor and evaluate the balanced development of compulsory education."""

__version__ = "0.1.0"

GENERATOR = f"junheng {__version__}"
"""The ``generator`` key of the JSON files that Junheng writes. The command
line recognises its own output files by it and replaces them without --force."""
