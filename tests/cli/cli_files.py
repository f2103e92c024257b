"""Input files of the command-line tests, written under tmp_path."""

from __future__ import annotations

from pathlib import Path

from factories import primary_school

from junheng.ingest.schema import canonical_frame


def schools_csv(path: Path, **changes: object) -> Path:
    """Write two primary schools of 410102 in 2024; ``changes`` alter the first."""
    canonical_frame([primary_school(1, **changes), primary_school(2)]).write_csv(path)
    return path
