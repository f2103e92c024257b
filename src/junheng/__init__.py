"""Junheng: monitor and evaluate the balanced development of compulsory education."""

__version__ = "0.1.0"
