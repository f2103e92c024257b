"""Monitoring after accreditation: trends, forecasts, warnings, checks, samples.

Every function here is pure: frames in, frames out. The yearly evaluation
(:func:`junheng.evaluation.verdict.evaluate`) is the only source of indicator
values, CVs and verdicts; nothing in this package recomputes them.
"""
