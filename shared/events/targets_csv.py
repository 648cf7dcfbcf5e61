"""The contract's CSV of targets (CONTRACT.md, POST /v1/complaints): one URL per row in the column
`url` (or the first column when there is no header row), UTF-8 with or without a byte-order mark;
blank rows are skipped. The complaints service reads an uploaded file with it, and the portal a file
it merges with pasted URLs."""

from __future__ import annotations

import csv
import io

HEADER = "url"


class UnreadableCsv(ValueError):
    """The file is not UTF-8 text in CSV form."""


def url_column(first_row: list[str]) -> tuple[int, bool]:
    """(index of the URL column, whether the first row is a header)."""
    names = [cell.strip().lstrip("\ufeff").lower() for cell in first_row]
    return (names.index(HEADER), True) if HEADER in names else (0, False)


def csv_rows(content: bytes) -> list[tuple[int, str]]:
    """(row number in the file, from 1, URL) for every non-blank data row."""
    try:
        text = content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise UnreadableCsv(f"the file is not UTF-8 CSV ({type(exc).__name__})") from exc
    if not rows:
        return []
    column, has_header = url_column(rows[0])
    first_data = 2 if has_header else 1
    return [
        (number, row[column].strip() if column < len(row) else "")
        for number, row in enumerate(rows[first_data - 1 :], start=first_data)
        if any(cell.strip() for cell in row)
    ]
