"""The dashboard's rows and cells as rendered, kept per process by what they show.

A dashboard has 1,200 cells (200 documents in six languages), and rendering one (its shares,
badges and plural phrases in the reader's language and digits) cost more than reading every
figure of the store: about 80% of the page's time. A cell's HTML is a function of the values in
its key (the interface language, where the desk is mounted, the document's slug, urgency and
creation time, the language, and the cell's figures, a frozen dataclass), and a row's of its
document's title, kind, urgency and deadline, its cells, and the time left, made at every view;
so nothing kept is ever stale: a changed figure is another key, and the old one leaves the shelf
when it is full. The matrix keeps rows, the language page (one cell a document) cells.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from itertools import islice

from flask import current_app, request
from markupsafe import Markup

from translator.languages import Language
from translator.services.dashboard import Cell, Row
from translator.web import interface

CELLS_KEPT = 12_000  # a whole dashboard's cells and rows in every interface language, and more


class Cells:
    """Rendered cells and rows of one process; when full, the older half is dropped (a view
    hashes each key once: looking up and moving to the end, as an LRU does, cost twice that)."""

    def __init__(self, size: int = CELLS_KEPT) -> None:
        self.size = size
        self._cells: dict[Hashable, Markup] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Markup | None:
        return self._cells.get(key)

    def __len__(self) -> int:
        return len(self._cells)

    def put(self, key: Hashable, cell: Markup) -> None:
        with self._lock:
            self._cells[key] = cell
            if len(self._cells) > self.size:
                for old in list(islice(self._cells, self.size // 2)):
                    self._cells.pop(old, None)


def _cells() -> Cells:
    found: Cells = current_app.extensions.setdefault("translator.dashboard_cells", Cells())
    return found


CellRenderer = Callable[[Row, Cell, str], str]


def kept_cells() -> Callable[[CellRenderer, Row, Cell, str], Markup]:
    """For one page: a cell as `render` (the template's `cell_figures` macro) made it for these
    values, kept. What every cell of the page shares in its key is looked up once."""
    shelf, page = _cells(), (interface.current(), request.script_root)

    def kept_cell(render: CellRenderer, row: Row, cell: Cell, code: str) -> Markup:
        key = (page, row.slug, row.urgent, row.created_at, code, cell)
        found = shelf.get(key)
        if found is None:
            found = Markup(render(row, cell, code))
            shelf.put(key, found)
        return found

    return kept_cell


RowRenderer = Callable[[Row, Sequence[Language], str], str]


def kept_rows() -> Callable[[RowRenderer, Row, Sequence[Language], str], Markup]:
    """For one page: a document's row as `render` (the template's `document_row` macro) made
    it, with a cell per language of `columns`, and `timing` (the time left: Markup or "")."""
    shelf, page = _cells(), (interface.current(), request.script_root)

    def kept_row(render: RowRenderer, row: Row, columns: Sequence[Language], timing: str) -> Markup:
        codes = tuple(column.code for column in columns)
        key = (
            page,
            (row.slug, row.title, row.kind, row.urgent, row.deadline, row.created_at),
            codes,
            tuple(row.cells.get(code) for code in codes),
            str(timing),
        )
        found = shelf.get(key)
        if found is None:
            found = Markup(render(row, columns, timing))
            shelf.put(key, found)
        return found

    return kept_row
