"""Read the tables of a dashboard page back from its HTML."""

from __future__ import annotations

from html.parser import HTMLParser


class TableReader(HTMLParser):
    """Collect ``{table name: [{column key: cell text}]}`` from a page.

    Text inside ``span.sr-only`` (the screen-reader note on failing cells) is
    left out, so the text read is what the cell shows.
    """

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[dict[str, str]]] = {}
        self.failing: dict[str, list[tuple[int, str]]] = {}
        self._table: str | None = None
        self._row: dict[str, str] | None = None
        self._key: str | None = None
        self._text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "table" and values.get("data-table"):
            self._table = values["data-table"]
            self.tables[self._table] = []
            self.failing[self._table] = []
        elif tag == "tr" and self._table is not None:
            self._row = {}
        elif tag == "td" and self._row is not None:
            self._key = values.get("data-key")
            self._text = []
            if "fail" in (values.get("class") or "").split():
                rows = self.tables[self._table or ""]
                self.failing[self._table or ""].append((len(rows), self._key or ""))
        elif tag == "span" and "sr-only" in (values.get("class") or ""):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._hidden:
            self._hidden -= 1
        elif tag == "td" and self._row is not None and self._key is not None:
            self._row[self._key] = "".join(self._text).strip()
            self._key = None
        elif tag == "tr" and self._row is not None:
            if self._row and self._table is not None:
                self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._key is not None and not self._hidden:
            self._text.append(data)


def read_tables(html: str) -> TableReader:
    """Return the reader filled from ``html``."""
    reader = TableReader()
    reader.feed(html)
    return reader
