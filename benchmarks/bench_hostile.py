"""Hostile-input census (issue 11): generated hostile inputs per surface, and how each one ended.

    python benchmarks/bench_hostile.py [--examples 3000] [--seconds 200] [--timeout 60] [--seed 0]
                                       [--surfaces bytes,spec,argv,api,callbacks,urls]

Runs the fuzz suite's own strategies (``tests/fuzz/test_cli_fuzz.py``, ``tests/dashboard/test_fuzz_http.py``)
with Hypothesis's "long" profile (tests/conftest.py) but, unlike the tests, does not stop at the first failure:
every example is classified and counted. Surfaces:

* ``bytes``: generated CSV/TSV/Parquet (and other) input files, ``python -m synth refresh`` with no options;
* ``spec``: generated spec TOML files, on a valid input;
* ``argv``: generated option vectors of ``refresh``, on a valid input;
* ``api``: generated query strings of every ``/api/v1/`` and ``/export/`` route;
* ``callbacks``: generated ``/_dash-update-component`` bodies (grid blocks, Explore clicks, page contents,
  request envelopes of another shape);
* ``urls``: a crawl of the app (every ``href``/``src`` of the page shells and page contents, followed within
  the app) and then generated paths (traversal, encoded bytes, Dash's own routes).

The CLI runs in-process on a copy of a published data folder (``run_on`` of the CLI fuzz test); the web
surfaces go through the Flask test client to the app over the fuzz tests' hand-made release. Outcomes:

* accepted: exit 0 / HTTP < 400; clean error: exit 2 with one printable line, no traceback, nothing written,
  the ledger unchanged and the previous release live and intact / HTTP 4xx;
* crash: anything else (a traceback, another exit code, an invariant broken / HTTP 5xx, an exception out of
  the app); hang: an example still running after ``--timeout`` seconds (interrupted by SIGALRM, counted);
* leak (web surfaces): a response showing a traceback or a server path (the data folder).

Each surface runs at most ``--examples`` examples or ``--seconds`` seconds (examples generated after that are
not run and not counted). The first crashes, hangs and leaks of each surface are printed with their input.
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from urllib.parse import quote, unquote_to_bytes, urldefrag, urljoin, urlsplit

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tests.conftest  # noqa: E402,F401  (registers the Hypothesis profiles)
from tests.dashboard import test_fuzz_http as web  # noqa: E402
from tests.dashboard.payloads import explore_click_payload, grid_rows_payload, page_content_payload  # noqa: E402
from tests.fuzz import test_cli_fuzz as cli  # noqa: E402

SURFACES = ("bytes", "spec", "argv", "api", "callbacks", "urls")
UPDATE = "/_dash-update-component"
OUTCOMES = ("accepted", "clean error", "crash", "hang")
#: What a crawl follows in HTML: the values of href and src attributes.
LINK = re.compile(r'(?:href|src)="([^"]*)"')
#: Paths tried on top of the crawl: Dash's routes, traversal, encodings, odd lengths.
PATH_PARTS = [
    "",
    "..",
    "%2e%2e",
    "%2F",
    "%00",
    "%ff",
    "~",
    "etc",
    "passwd",
    "_dash-layout",
    "_dash-dependencies",
    "_dash-update-component",
    "_dash-component-suites",
    "_reload-hash",
    "_favicon.ico",
    "assets",
    "api",
    "v1",
    "export",
    "records.csv",
    "healthz",
    "explore",
    "data",
    "about",
    "x" * 300,
]
paths = st.lists(st.sampled_from(PATH_PARTS) | st.text(max_size=12), min_size=1, max_size=6).map(
    lambda parts: "/" + "/".join(parts)
) | st.text(max_size=60).map(lambda t: "/" + t)
generated_urls = st.tuples(paths, st.none() | web.page_searches()).map(lambda t: t[0] + (t[1] or ""))


class Hang(BaseException):
    """An example ran past the timeout (a BaseException: no ``except Exception`` in the code under test hides it)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise Hang

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Tally:
    """The outcomes of one surface, and the first few bad examples."""

    outcomes: Counter[str] = field(default_factory=Counter)
    leaks: int = 0
    seconds: float = 0.0
    examples: list[str] = field(default_factory=list)

    def add(self, outcome: str, what: object, leak: bool = False, detail: str = "") -> None:
        self.outcomes[outcome] += 1
        self.leaks += leak
        if (outcome in ("crash", "hang") or leak) and len(self.examples) < 5:
            self.examples.append(f"{outcome}{' + leak' if leak else ''}: {what!r:.300} -> {detail:.300}")

    @property
    def tried(self) -> int:
        return sum(self.outcomes.values())


def census(strategy: st.SearchStrategy, run: Callable[[object], tuple[str, bool, str]], args) -> Tally:
    """Run ``run`` on examples of ``strategy``; each answers (outcome, leak, detail)."""
    tally = Tally()
    started = time.monotonic()

    @seed(args.seed)
    @settings(
        settings.get_profile("long"),
        max_examples=args.examples,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def examples(example: object) -> None:
        if time.monotonic() - started > args.seconds:
            return
        try:
            with time_limit(args.timeout):
                outcome, leak, detail = run(example)
        except Hang:
            outcome, leak, detail = "hang", False, f"over {args.timeout:g} s"
        except Exception as exc:  # an exception out of the code under test: a crash, counted, not fatal
            outcome, leak, detail = "crash", False, f"{type(exc).__name__}: {exc}"
        tally.add(outcome, example, leak, detail)

    examples()
    tally.seconds = time.monotonic() - started
    return tally


def cli_runner(source_of, spec_of, extra_of) -> Callable[[object], tuple[str, bool, str]]:
    """A refresh on one example (input, spec and options taken from it), classified by the CLI fuzz test's checks."""

    def run(example: object) -> tuple[str, bool, str]:
        with tempfile.TemporaryDirectory() as folder:
            try:
                code = cli.run_on(Path(folder), ["refresh"], source_of(example), spec_of(example), extra_of(example))
            except AssertionError as exc:
                return "crash", False, str(exc).strip().splitlines()[-1] if str(exc).strip() else "assertion"
        return ("accepted" if code == 0 else "clean error"), False, f"exit {code}"

    return run


def raw_request(url: str) -> dict[str, str]:
    """The WSGI path and query of a request line naming ``url`` as is (percent-encoded as a client sends it, then
    decoded as the server does): ``//x/y`` is a path here, not a host as a URL parser would take it."""
    path, _, query = url.partition("?")
    sent = quote(path, safe="/%;:@&=+$,!~*'()")
    return {"PATH_INFO": unquote_to_bytes(sent).decode("latin-1"), "QUERY_STRING": quote(query, safe="=&%+")}


def web_runner(client, data_dir: str) -> Callable[[object], tuple[str, bool, str]]:
    """A GET (a URL) or a callback POST (a dict body), classified by status and leak."""

    def run(example: object) -> tuple[str, bool, str]:
        if isinstance(example, dict):
            response = client.post(UPDATE, json=example)
        else:
            response = client.get("/", environ_overrides=raw_request(str(example)))
        status = response.status_code
        outcome = "accepted" if status < 400 else "clean error" if status < 500 else "crash"
        return outcome, web.leaks(response, data_dir), f"HTTP {status} {response.get_data()[:200]!r}"

    return run


def links(response, base: str) -> list[str]:
    """The app paths an answer links to (``href``/``src`` of HTML, and of any JSON object: Dash layouts), resolved
    against ``base``, fragments left out, other hosts skipped."""
    found: list[str] = []
    if response.mimetype == "text/html":
        found = LINK.findall(response.get_data(as_text=True))
    elif response.mimetype == "application/json":
        stack = [response.get_json()]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                found += [v for k, v in node.items() if k in ("href", "src") and isinstance(v, str)]
                stack += node.values()
            elif isinstance(node, list):
                stack += node
    resolved = (urljoin("http://app" + base, link) for link in found)
    return [urldefrag(u).url.removeprefix("http://app") for u in resolved if u.startswith("http://app/")]


def crawl(client, data_dir: str, tally: Tally) -> None:
    """Every path of the app reachable from the page shells and page contents (links, scripts, styles)."""
    pages = ["/", "/explore", "/data", "/about"]
    queue = [*pages, "/_dash-layout", "/_dash-dependencies"]
    for page in pages:
        queue += links(client.post(UPDATE, json=page_content_payload(page, "", None)), page)
    seen: set[str] = set()
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        status = response.status_code
        outcome = "accepted" if status < 400 else "clean error" if status < 500 else "crash"
        tally.add(outcome, path, web.leaks(response, data_dir), f"HTTP {status}")
        queue += links(response, urlsplit(path).path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--examples", type=int, default=settings.get_profile("long").max_examples)
    parser.add_argument("--seconds", type=float, default=200.0, help="time budget per surface")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds after which an example is a hang")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--surfaces", default=",".join(SURFACES))
    args = parser.parse_args(argv)
    chosen = [s for s in args.surfaces.split(",") if s]
    if unknown := set(chosen) - set(SURFACES):
        parser.error(f"unknown surfaces {sorted(unknown)}; choose from {', '.join(SURFACES)}")
    valid = (".csv", cli._valid_bytes(","))
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as folder:
        data_dir = Path(folder) / "data"
        app = web.fuzzed_app(data_dir)
        client = app.server.test_client()
        client.get("/")  # Dash pages registers its routing callback at the first request
        web_run = web_runner(client, str(data_dir))
        callbacks = st.one_of(
            st.builds(grid_rows_payload, web.grid_requests, web.states),
            web.envelopes,
            web.page_contents,
            web.explore_clicks.map(lambda a: explore_click_payload(app, *a)),
        )
        plans: dict[str, tuple[st.SearchStrategy, Callable]] = {
            "bytes": (cli.inputs, cli_runner(lambda e: e, lambda e: None, lambda e: [])),
            "spec": (cli.specs, cli_runner(lambda e: valid, lambda e: e, lambda e: [])),
            "argv": (cli.arguments, cli_runner(lambda e: valid, lambda e: None, lambda e: e)),
            "api": (st.sampled_from(sorted(web.ROUTES)).flatmap(web.data_route_urls), web_run),
            "callbacks": (callbacks, web_run),
            "urls": (generated_urls, web_run),
        }
        tallies = {}
        for surface in chosen:
            strategy, run = plans[surface]
            started = time.monotonic()
            if surface == "urls":
                crawled = Tally()
                crawl(client, str(data_dir), crawled)
                crawled.seconds = time.monotonic() - started
                tallies["urls (crawl)"] = crawled
                surface = "urls (generated)"
            tallies[surface] = census(strategy, run, args)
            print(f"{surface}: {tallies[surface].tried} examples in {tallies[surface].seconds:.0f} s", flush=True)
    print(
        f"\nseed {args.seed}, at most {args.examples} examples or {args.seconds:g} s a surface, "
        f"hang: > {args.timeout:g} s"
    )
    print("| surface | tried | accepted | clean errors | crashes | hangs | leaks | seconds |")
    print("|---|---|---|---|---|---|---|---|")
    for surface, t in tallies.items():
        counts = " | ".join(str(t.outcomes[o]) for o in OUTCOMES)
        leaks = t.leaks if surface not in ("bytes", "spec", "argv") else "-"
        print(f"| {surface} | {t.tried} | {counts} | {leaks} | {t.seconds:.0f} |")
    total = Counter()
    for t in tallies.values():
        total.update(t.outcomes)
    print(
        f"| total | {sum(total.values())} | {' | '.join(str(total[o]) for o in OUTCOMES)} | "
        f"{sum(t.leaks for t in tallies.values())} | {sum(t.seconds for t in tallies.values()):.0f} |"
    )
    for surface, t in tallies.items():
        for line in t.examples:
            print(f"  {surface}: {line}")
    return 1 if total["crash"] or total["hang"] or any(t.leaks for t in tallies.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
