"""Errors the command line reports as one clear line (exit code 2), and how that line is made printable."""

from __future__ import annotations

import re

#: A run of non-blank characters longer than this is shortened in a message (a 5,000-digit value, a huge cell).
MAX_TOKEN_CHARS = 120
_LONG_TOKEN = re.compile(rf"\S{{{MAX_TOKEN_CHARS + 1},}}")


class InputError(Exception):
    """Bad input or configuration: names the file, row and column where they are known.

    ``row`` is 1-based and counts the header as row 1 (as a spreadsheet shows it).
    """

    def __init__(
        self, problem: str, *, file: str | None = None, row: int | None = None, column: str | None = None
    ) -> None:
        self.problem, self.file, self.row, self.column = problem, file, row, column
        where = ", ".join(
            part
            for part in (
                f"file {file}" if file else "",
                f"row {row}" if row is not None else "",
                f"column {column!r}" if column else "",
            )
            if part
        )
        super().__init__(f"{where}: {problem}" if where else problem)


class BudgetError(Exception):
    """A refresh would exceed the configured privacy budget of its source."""


def one_line(message: str) -> str:
    """``message`` as one printable line: line breaks become spaces, other non-printable characters (NUL,
    a byte-order mark, escape sequences) are shown escaped, and over-long words are shortened."""
    text = " ".join(message.split("\n"))
    text = "".join(c if c.isprintable() or c == " " else ascii(c)[1:-1] for c in text)
    return _LONG_TOKEN.sub(lambda m: f"{m[0][:60]}...[{len(m[0])} characters]", text)
