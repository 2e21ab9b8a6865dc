"""Dataset profiles: human labels, column roles and curated overview charts for a release.

A profile is optional JSON in ``dashboard/profiles/<dataset>.json``. Every reference in it is checked
against the release (unknown columns are dropped), and whatever is missing is filled in automatically,
so an unknown dataset still gets a working profile.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pycountry

from dashboard import i18n
from dashboard.store import Release

PROFILES_DIR = Path(__file__).parent / "profiles"
MAX_BREAKDOWN_VALUES = 12
EXPLORE_DEFAULT = 6
_YEARISH = re.compile(r"^\d{4}(\s*-\s*\d{4})?$")


@dataclass(frozen=True)
class Group:
    """A chart made of attributes from several columns (e.g. binary exploitation flags)."""

    key: str
    label: str
    members: tuple[tuple[str, str, str], ...]  # (source, value, label)


@dataclass(frozen=True)
class Geography:
    source: str
    kind: str  # "iso3" or "region"


@dataclass(frozen=True)
class OriginalData:
    """The data a release was derived from, credited as its publisher asks (profile key ``original``)."""

    credit: str
    title: str
    year: str
    url: str = ""
    version: str = ""


@dataclass(frozen=True)
class Profile:
    """Resolved profile: every source named here exists in the release."""

    dataset: str
    title: str
    labels: dict[str, str]
    value_labels: dict[str, dict[str, str]]
    time: str | None
    geography: tuple[Geography, ...]
    victim: tuple[str, ...]
    perpetrator: tuple[str, ...]
    groups: dict[str, Group]
    breakdowns: tuple[str, ...]
    relationship: tuple[str, str] | None
    explore: tuple[str, ...]
    region_centroids: dict[str, tuple[float, float]] = field(default_factory=dict)
    original: OriginalData | None = None
    unit: str = "records"  # who or what a count counts, in the plural ("victims")
    terms: dict[str, str] = field(default_factory=dict)  # a column in running text, where its label reads badly
    caveats: tuple[str, ...] = ()
    automatic: bool = False

    def label(self, source: str) -> str:
        if source in self.groups:
            return self.groups[source].label
        return self.labels.get(source) or readable(source)

    def term(self, source: str) -> str:
        """A column as running text names it: ``Victims by victim gender``, ``the most common age group``."""
        return self.terms.get(source) or self.label(source).lower()

    def value_label(self, source: str, value: str) -> str:
        """The profile's label of a value, else the value made readable (never a bare code when avoidable)."""
        return self.value_labels.get(source, {}).get(value) or readable(value)


_RANGE = re.compile(r"^0*(\d+)\s*-{1,2}\s*0*(\d+)$")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def readable(code: str) -> str:
    """A code as a reader would write it, when no label exists: ``09--17`` -> ``9-17``,
    ``DomesticWork`` -> ``Domestic work``, ``perpGender`` -> ``Perp gender``. Codes in capitals (ISO codes,
    ``UKR``) and anything else stay as they are."""
    if match := _RANGE.match(code):
        return f"{int(match[1])}-{int(match[2])}"
    if code[:1].isalpha() and _CAMEL.search(code) and not code.isupper():
        words = _CAMEL.sub(" ", code).split(" ")
        return " ".join([words[0][:1].upper() + words[0][1:], *(w.lower() for w in words[1:])])
    return code


def _country_name(code: str, lang: str = i18n.DEFAULT) -> str | None:
    """The country of an ISO 3166 alpha-3 code named in ``lang``: CLDR's name (Babel) outside English, else
    pycountry's English name; None for a code that is not a country."""
    country = pycountry.countries.get(alpha_3=code) if len(code) == 3 and code.isupper() else None
    if country is None:
        return None
    english = getattr(country, "common_name", None) or country.name
    return (lang != i18n.DEFAULT and i18n.territory_name(country.alpha_2, lang)) or english


def _region_name(codes: str | None, lang: str) -> str | None:
    """A region's name in ``lang`` from its UN M.49 code(s) (``019/009`` -> ``Americas/Oceania``) via CLDR;
    None in English (the data's own name is kept) or for an unknown code."""
    if not codes or lang == i18n.DEFAULT:
        return None
    names = [i18n.territory_name(code, lang) for code in codes.split("/")]
    return "/".join(n for n in names if n) if all(names) else None


def localised(raw: dict, lang: str) -> dict:
    """A profile with its ``translations.<lang>`` laid over the English: title, unit, terms, caveats, column
    and value labels, group labels (``groups.<key>.label``, ``groups.<key>.members.<source>``). Anything the
    translation leaves out stays English (never a code)."""
    tr = raw.get("translations", {}).get(lang, {})
    if not tr:
        return raw
    out = {**raw, **{k: tr[k] for k in ("title", "unit", "caveats") if k in tr}}
    out["labels"] = {**raw.get("labels", {}), **tr.get("labels", {})}
    out["terms"] = {**raw.get("terms", {}), **tr.get("terms", {})}
    out["value_labels"] = {
        k: {**raw.get("value_labels", {}).get(k, {}), **tr.get("value_labels", {}).get(k, {})}
        for k in {*raw.get("value_labels", {}), *tr.get("value_labels", {})}
    }
    groups = {}
    for key, g in raw.get("groups", {}).items():
        gt = tr.get("groups", {}).get(key, {})
        names = gt.get("members", {})
        members = [[s, v, names.get(s, lab)] for s, v, lab in g["members"]]
        groups[key] = {**g, "label": gt.get("label", g["label"]), "members": members}
    out["groups"] = groups
    return out


def is_iso3_column(values: tuple[str, ...]) -> bool:
    """At least 80% of the values are ISO 3166 alpha-3 codes."""
    return bool(values) and sum(_country_name(v) is not None for v in values) >= 0.8 * len(values)


@lru_cache(maxsize=8)
def _profile_files() -> dict[str, dict]:
    out = {}
    for path in sorted(PROFILES_DIR.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        for name in [raw["dataset"], *raw.get("aliases", [])]:
            out[name.lower()] = raw
    return out


def _auto_time(release: Release) -> str | None:
    for key, dim in release.dimensions.items():
        if not dim.multi_value and ("year" in key.lower() or all(_YEARISH.match(v) for v in dim.values)):
            return key
    return None


def _auto_geography(release: Release) -> list[Geography]:
    out = []
    for key, dim in release.dimensions.items():
        if not dim.multi_value and is_iso3_column(dim.values):
            out.append(Geography(key, "iso3"))
    return out


def resolve_profile(release: Release, lang: str = i18n.DEFAULT) -> Profile:
    """The profile of ``release`` in ``lang``: the shipped one for its dataset, completed and checked, or
    automatic."""
    name = release.dataset.name
    shipped = _profile_files().get(name.lower(), {})
    raw = localised(shipped, lang)
    dims = release.dimensions
    known = lambda items: tuple(s for s in items if s in dims)  # noqa: E731
    groups = {}
    for key, g in raw.get("groups", {}).items():
        members = tuple((s, v, lab) for s, v, lab in g["members"] if s in dims and v in dims[s].values)
        if members:
            groups[key] = Group(key, g["label"], members)
    time = raw.get("time") if raw.get("time") in dims else _auto_time(release)
    geography = tuple(Geography(g["source"], g["kind"]) for g in raw.get("geography", []) if g["source"] in dims)
    geography = geography or tuple(_auto_geography(release))
    special = {time, *(g.source for g in geography)}
    small = [k for k, d in dims.items() if k not in special and len(d.values) <= MAX_BREAKDOWN_VALUES]
    breakdowns = tuple(s for s in raw.get("breakdowns", []) if s in dims or s in groups) or tuple(small[:4])
    rel = raw.get("relationship")
    relationship = (rel["rows"], rel["columns"]) if rel and rel["rows"] in dims and rel["columns"] in dims else None
    if relationship is None and release.reporting_length >= 2 and len(small) >= 2:
        relationship = (small[-2], small[-1])
    explore = known(raw.get("explore", [])) or tuple(list(dims)[:EXPLORE_DEFAULT])
    labels = {k: d.label for k, d in dims.items()} | {k: v for k, v in raw.get("labels", {}).items() if k in dims}
    value_labels = {k: dict(v) for k, v in raw.get("value_labels", {}).items() if k in dims}
    for g in geography:
        if g.kind == "iso3":
            value_labels[g.source] = {v: _country_name(v, lang) or v for v in dims[g.source].values}
    for k, dim in dims.items():  # UN regions named in the language (CLDR), unless the profile names them
        for v in dim.values:
            region = _region_name(raw.get("region_codes", {}).get(v), lang)
            if region and v not in value_labels.get(k, {}):
                value_labels.setdefault(k, {})[v] = region
    return Profile(
        dataset=name or "unknown",
        title=(raw is not shipped and raw.get("title"))
        or release.dataset.title
        or raw.get("title")
        or name
        or "Dataset",
        labels=labels,
        value_labels=value_labels,
        time=time,
        geography=geography,
        victim=known(raw.get("victim", [])),
        perpetrator=known(raw.get("perpetrator", [])),
        groups=groups,
        breakdowns=breakdowns,
        relationship=relationship,
        explore=explore,
        region_centroids={k: tuple(v) for k, v in raw.get("region_centroids", {}).items()},
        original=OriginalData(**raw["original"]) if raw.get("original") else None,
        unit=raw.get("unit", "records"),
        terms={k: v for k, v in raw.get("terms", {}).items() if k in dims or k in groups},
        caveats=tuple(raw.get("caveats", [])),
        automatic=not shipped,
    )
