"""The README's documentation list names each page once."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"


def test_documentation_pages_listed_once() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Documentation", 1)[1].split("\n## ", 1)[0]
    pages = re.findall(r"^- \[(docs/[^\]]+)\]", section, flags=re.MULTILINE)
    assert pages
    assert len(pages) == len(set(pages)), pages
    for page in pages:
        assert (README.parent / page).is_file(), page
