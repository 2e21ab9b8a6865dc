"""Dash callback requests (``POST /_dash-update-component``) checked against the callback they name.

Dash unpacks the request body without checking it: a missing state, a wrong count or a string where a
component value belongs ends in an IndexError or KeyError deep in its dispatch, a 500. Here the body must
have the shape of the registered callback (every input and state present, outputs matching), else the
answer is a 400 with a JSON error before Dash sees it. The values themselves are the callbacks' business.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, jsonify, request

from dashboard.api import error_body
from dashboard.i18n import N_

UPDATE_PATH = "/_dash-update-component"
#: Why a request was refused: an English msgid ("bad callback request: ...", marked with ``N_``) and its placeholders.
Problem = tuple[str, dict[str, object]]


def _is_value(entry: object) -> bool:
    return isinstance(entry, dict) and "id" in entry and isinstance(entry.get("property"), str)


def _fits(entry: object, pattern: bool) -> bool:
    """A plain dependency is one ``{id, property, value}``; a pattern (ALL) one is a list of them (or one: MATCH)."""
    if pattern and isinstance(entry, list):
        return all(_is_value(e) for e in entry)
    return _is_value(entry)


def _output_patterns(output: str) -> list[bool]:
    """For each output of a callback key (``..a.x...b.y..`` for several), whether it is a pattern id."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [part.startswith("{") for part in parts]


def payload_problem(body: object, callback_map: Mapping[str, dict]) -> Problem | None:
    """Why ``body`` is not a request for one of the callbacks in ``callback_map`` (None when it is)."""
    if not isinstance(body, dict):
        return N_("bad callback request: a callback request must be a JSON object"), {}
    output = body.get("output")
    spec = callback_map.get(output) if isinstance(output, str) else None
    if spec is None or not isinstance(output, str):
        return N_("bad callback request: no such callback"), {}
    for key in ("inputs", "state"):
        deps = spec.get(key) or []
        entries = body.get(key, [])
        if not isinstance(entries, list) or len(entries) != len(deps):
            return N_("bad callback request: {key} must list {n} component values"), {"key": key, "n": len(deps)}
        if not all(_fits(e, d["id"].startswith("{")) for e, d in zip(entries, deps, strict=True)):
            return N_("bad callback request: {key} must be component values (id, property, value)"), {"key": key}
    patterns = _output_patterns(output)
    outputs = body.get("outputs")
    if len(patterns) > 1:
        ok = (
            isinstance(outputs, list)
            and len(outputs) == len(patterns)
            and all(_fits(o, p) for o, p in zip(outputs, patterns, strict=True))
        )
    else:
        ok = _fits(outputs, patterns[0])
    if not ok:
        return N_("bad callback request: outputs must list the callback's {n} outputs"), {"n": len(patterns)}
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return N_("bad callback request: changedPropIds must be a list of strings"), {}
    return None


def guard_callbacks(server: Flask, callback_map: Mapping[str, dict]) -> None:
    """Answer a malformed callback request with 400 and a JSON error instead of letting Dash raise."""

    @server.before_request
    def _check_callback_request():
        if request.path != UPDATE_PATH or request.method != "POST":
            return None
        try:
            body = request.get_json(silent=True)
        except RecursionError:  # nested deeper than the JSON parser goes (silent covers ValueErrors only)
            body = None
        problem = payload_problem(body, callback_map)
        if problem is None:
            return None
        message, params = problem
        return jsonify(error_body("bad_callback_request", message, **params)), 400
