"""Option types shared by several commands, defined once."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Store URL (sqlite:///file.db, postgresql+psycopg://...) or a SQLite file path. "
        "Default: $CREDSCOPE_DB, else ./credscope.db",
        show_default=False,
    ),
]


class TableFormat(StrEnum):
    table = "table"
    json = "json"


class RowsFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"
