"""Every translation catalog complete and sound (run by scripts/i18n check, so by scripts/lint and CI).

For each language given: no fuzzy entry, no untranslated entry, and every translation keeps exactly the
``{placeholders}`` of its msgid (a dropped or misspelt one would raise or lose a number at run time).
Prints one line per problem; exit status 1 if there was any.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parent.parent / "dashboard" / "locales"
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def problems(lang: str) -> list[str]:
    path = LOCALES / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=lang)
    out = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        where = f"{path.relative_to(LOCALES.parent.parent)}: {ids[0]!r}"
        if message.fuzzy:
            out.append(f"{where}: fuzzy")
        if not all(strings):
            out.append(f"{where}: untranslated")
            continue
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) != wanted:
                out.append(f"{where}: placeholders {sorted(wanted)} not kept in {string!r}")
    return out


def main(langs: list[str]) -> int:
    found = [line for lang in langs for line in problems(lang)]
    print("\n".join(found) or f"catalogs complete: {', '.join(langs)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
