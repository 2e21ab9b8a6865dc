"""Every translation catalog complete and sound (run by scripts/i18n check, so by scripts/lint and CI).

For each language given: exactly the msgids of ``messages.pot`` (none missing, none obsolete), no fuzzy
entry, no untranslated entry, and every translation keeps exactly the ``{placeholders}`` of its msgid (a
dropped or misspelt one would raise or lose a number at run time).
Prints one line per problem; exit status 1 if there was any.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parent.parent / "dashboard" / "locales"
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def _read(path: Path, lang: str | None = None):
    with path.open("rb") as po:
        return read_po(po, locale=lang)


def problems(lang: str) -> list[str]:
    path = LOCALES / lang / "LC_MESSAGES" / "messages.po"
    catalog = _read(path, lang)
    where = path.relative_to(LOCALES.parent.parent)
    wanted_ids = {m.id for m in _read(LOCALES / "messages.pot") if m.id}
    have_ids = {m.id for m in catalog if m.id}
    out = [f"{where}: {m!r}: missing (run scripts/i18n extract)" for m in sorted(wanted_ids - have_ids, key=str)]
    out += [f"{where}: {m!r}: obsolete" for m in sorted(have_ids - wanted_ids, key=str)]
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        entry = f"{where}: {ids[0]!r}"
        if message.fuzzy:
            out.append(f"{entry}: fuzzy")
        if not all(strings):
            out.append(f"{entry}: untranslated")
            continue
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) != wanted:
                out.append(f"{entry}: placeholders {sorted(wanted)} not kept in {string!r}")
    return out


def main(langs: list[str]) -> int:
    found = [line for lang in langs for line in problems(lang)]
    print("\n".join(found) or f"catalogs complete: {', '.join(langs)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
