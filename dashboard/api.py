"""HTTP API (``/api/v1/...``) and file exports (``/export/...``): validated inputs, clear 4xx errors.

Only published values leave through ``/api/v1/aggregates`` (DP counts and intervals); ``/api/v1/records``
pages through the synthetic records.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import asdict

import pandas as pd
from dash.exceptions import DependencyException
from flask import Flask, Request, Response, jsonify, request

from dashboard import context, exports, i18n, records
from dashboard import query as q
from dashboard.citation import citation_for
from dashboard.i18n import N_, translate
from dashboard.urlstate import encode_selections, loads

DEFAULT_LIMIT = 100
#: Built slow-format exports kept per release (a few MB each at most: see ``xlsx_max_rows``).
EXPORT_MEMO_SIZE = 8


class ApiError(Exception):
    """A rejected request: ``code`` for machines, the message in English (``str``) and in the reader's language.

    ``message`` is an English msgid (marked with ``N_``) with ``{name}`` placeholders filled from ``params``.
    """

    def __init__(self, code: str, message: str, status: int = 400, **params: object) -> None:
        super().__init__(message.format(**params))
        self.code, self.template, self.params, self.status = code, message, params, status

    def body(self) -> dict[str, str]:
        """The JSON answer: ``error`` (English, as before), ``code`` and ``message`` (translated)."""
        return error_body(self.code, self.template, **self.params)


def error_body(code: str, message: str, **params: object) -> dict[str, str]:
    """A JSON error: ``error`` in English (for machines, as before), ``code``, and ``message`` translated.

    ``message`` is an English msgid (marked with ``N_``) with ``{name}`` placeholders filled from ``params``.
    """
    return {"error": message.format(**params), "code": code, "message": translate(message).format(**params)}


def is_catch_all(req: Request) -> bool:
    """Whether Dash's catch-all page route (``/<path:path>``) answers this request."""
    return req.url_rule is not None and req.url_rule.rule == "/<path:path>"


def _release():
    release = context.store().get()
    if release is None:
        raise ApiError("no_release", N_("no release published yet; run `python -m synth demo`"), 503)
    return release


def _strict_filters(release, items: list[str]) -> q.Selections:
    """``source:value`` filters; unknown sources or values are an error (the API does not guess)."""
    pairs: list[tuple[str, str]] = []
    for item in items:
        if ":" not in item:
            raise ApiError("bad_filter", N_("filter {item} must look like column:value"), item=repr(item))
        source, value = item.split(":", 1)
        dim = release.dimensions.get(source)
        if dim is None:
            raise ApiError("unknown_column", N_("unknown column {column} in filter"), column=repr(source))
        if value not in dim.values:
            raise ApiError(
                "unknown_value", N_("unknown value {value} for column {column}"), value=repr(value), column=repr(source)
            )
        if source in dict(pairs):
            raise ApiError("repeated_filter", N_("column {column} filtered twice"), column=repr(source))
        pairs.append((source, value))
    return q.normalise(release, pairs)


def _columns(release, raw: list[str]) -> list[str]:
    cols = [c for item in raw for c in item.split(",") if c]
    for c in cols:
        if c not in release.dimensions:
            raise ApiError("unknown_column", N_("unknown column {column}"), column=repr(c))
    if len(set(cols)) != len(cols):
        raise ApiError("repeated_column", N_("a column is listed twice"))
    return cols


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes"):
        return True
    if value.lower() in ("0", "false", "no"):
        return False
    raise ApiError("bad_boolean", N_("expected true or false, got {value}"), value=repr(value))


def _int(name: str, default: int, lo: int, hi: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(hi)) or not lo <= int(raw) <= hi:
        raise ApiError("bad_integer", N_("{name} must be an integer in {lo}..{hi}"), name=name, lo=lo, hi=hi)
    return int(raw)


def _format(allowed: tuple[str, ...]) -> str:
    fmt = request.args.get("format", "json")
    if fmt not in allowed:
        raise ApiError("bad_format", N_("format must be one of {formats}"), formats=", ".join(allowed))
    return fmt


def _json_param(name: str, kind: type):
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        value = loads(raw)
    except ValueError:
        raise ApiError("bad_json", N_("{name} must be JSON"), name=name) from None
    if not isinstance(value, kind):
        raise ApiError("bad_json", N_("{name} must be a JSON {kind}"), name=name, kind=kind.__name__)
    return value


#: URL prefixes of the data routes: an unknown path under them is a JSON 404, never the app's HTML page.
DATA_PREFIXES = ("/api/", "/export/")


def register_routes(server: Flask) -> None:
    @server.before_request
    def _unknown_data_route():
        """Dash answers every other path with its HTML page; under the data prefixes that would be a 200 lie."""
        if is_catch_all(request) and request.path.startswith(DATA_PREFIXES):
            return jsonify(ApiError("no_such_endpoint", N_("no such endpoint: {path}"), path=request.path).body()), 404
        return None

    @server.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return jsonify(exc.body()), exc.status

    @server.errorhandler(DependencyException)
    def _no_such_asset(exc: DependencyException):
        """Dash's component-suite route raises this for a path it does not serve (``/../..``): a 404."""
        return jsonify(ApiError("no_such_file", N_("no such file")).body()), 404

    @server.errorhandler(q.QueryError)
    def _query_error(exc: q.QueryError):
        """A query the published data cannot answer (a grid filter included): 400, like a bad parameter."""
        return jsonify(error_body("invalid_query", exc.template, **exc.params)), 400

    @server.get("/api/v1/metadata")
    def api_metadata():
        release = _release()
        profile = context.profile_of(release)
        columns = [
            {"name": k, "label": profile.label(k), "values": list(d.values), "multi_value": d.multi_value}
            for k, d in release.dimensions.items()
        ]
        return jsonify(
            {
                "release": release.memo("metadata_json", None, release.metadata.to_json),  # asdict: ~0.8 ms
                "columns": columns,
                "citation": citation_for(release),
                "history": [asdict(h) for h in context.store().history()],
            }
        )

    @server.get("/api/v1/aggregates")
    def api_aggregates():
        release = _release()
        fmt = _format(("json", "csv"))
        columns = _columns(release, request.args.getlist("columns"))
        selections = _strict_filters(release, request.args.getlist("filter"))
        include_not_reported = _bool(request.args.get("include_not_reported"), True)
        if fmt == "csv":
            frame = functools.partial(q.aggregate_table, release, columns, selections, include_not_reported)
            return _download(release, frame, "DP aggregates", fmt, "aggregates.csv")
        return jsonify(
            {
                "release_id": release.release_id,
                "reporting_length": release.reporting_length,
                "columns": columns,
                "filters": encode_selections(selections),
                "rows": q.aggregate_rows(release, columns, selections, include_not_reported),
            }
        )

    @server.get("/api/v1/records")
    def api_records():
        release = _release()
        fmt = _format(("json", "csv"))
        offset = _int("offset", 0, 0, 10**9)
        limit = _int("limit", DEFAULT_LIMIT, 1, context.settings().api_max_limit)
        selections = _strict_filters(release, request.args.getlist("filter"))
        rows = records.query_rows(release, selections, None, None)
        total = records.row_count(release, rows)
        if fmt == "csv":
            frame = functools.partial(records.frame_for, release, rows, offset, offset + limit)
            return _download(release, frame, "synthetic records", fmt, "records.csv")
        return jsonify(
            {
                "release_id": release.release_id,
                "total": total,
                "offset": offset,
                "limit": limit,
                "filters": encode_selections(selections),
                "records": records.records_for(release, rows, offset, offset + limit),
            }
        )

    def _export_release(fmt: str):
        """The current release for an export in ``fmt`` (404 for an unknown format)."""
        if fmt not in exports.FORMATS:
            raise ApiError("unknown_format", N_("unknown export format {format}"), 404, format=repr(fmt))
        return _release()

    @server.get("/export/records.<fmt>")
    def export_records(fmt: str):
        release = _export_release(fmt)
        selections = _strict_filters(release, request.args.getlist("f"))
        rows = records.query_rows(release, selections, _json_param("fm", dict), _json_param("sm", list))
        kind = "synthetic records (estimates, not published counts)"
        return _download(
            release, lambda: records.frame_for(release, rows), kind, fmt, f"{release.release_id}-records.{fmt}"
        )

    @server.get("/export/aggregates.<fmt>")
    def export_aggregates(fmt: str):
        release = _export_release(fmt)
        columns = _columns(release, request.args.getlist("c"))
        selections = _strict_filters(release, request.args.getlist("f"))
        frame = functools.partial(q.aggregate_table, release, columns, selections, _bool(request.args.get("nr"), True))
        return _download(release, frame, "DP aggregates", fmt, f"{release.release_id}-aggregates.{fmt}")


def _download(release, frame: Callable[[], pd.DataFrame], kind: str, fmt: str, name: str) -> Response:
    """``frame()`` as a ``fmt`` file download named ``name``, with the provenance of this request.

    A slow format (Excel) is built once per release, language and query in this process and then served as built
    (its ``generated_at`` says when). The rows of a CSV are kept per release and query too (for releases of at
    most ``CSV_MEMO_MAX_RECORDS`` records), under a provenance header written for each request.
    """
    prov = exports.provenance(release, kind, dict(request.args.lists()), citation_for(release))
    key = (request.path, i18n.current(), tuple(sorted((k, tuple(v)) for k, v in request.args.lists())))

    def build() -> bytes:
        return exports.render(frame(), fmt, prov, context.settings().xlsx_max_rows)

    if fmt in exports.CACHED_FORMATS:
        body = release.memo("exports", key, build, size=EXPORT_MEMO_SIZE)
    elif fmt == "csv" and release.n_synthetic <= exports.CSV_MEMO_MAX_RECORDS:
        rows = release.memo("csv_rows", key, lambda: exports.csv_rows(frame()), size=EXPORT_MEMO_SIZE)
        body = exports.csv_header(prov) + rows
    else:
        body = build()
    return Response(
        body,
        mimetype=exports.FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
