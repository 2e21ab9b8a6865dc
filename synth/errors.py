"""Errors the command line reports as one clear line (exit code 2)."""

from __future__ import annotations


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
