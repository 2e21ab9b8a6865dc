"""gunicorn settings of the public dashboard (docs/deploy.md), one place for the deployment, the benchmark and
the tests: ``gunicorn -c python:dashboard.gunicorn_conf dashboard.wsgi:server``. Options given on the command
line (``-w``, ``--threads``, ``-b``) override these.

gthread workers: each worker process answers several requests at once, from threads, and keeps a client's
connection open between its requests (keep-alive), so that a slow request (an export) does not hold up the
short ones queued behind it in that worker, and a browser's burst of callbacks reuses one connection. The app
is thread-safe (the release store and the memos take locks; the request state lives in Flask's context).
``benchmarks/bench_load.py`` compares them (docs/benchmarks.md): 3 sync workers answered 148 requests/s at a
p95 near 370 ms, 3 workers of 4 threads 332 requests/s at a p95 near 150 ms, on the same machine minutes apart.
"""

import os

bind = "127.0.0.1:8050"
#: Worker processes: ``WEB_CONCURRENCY`` (gunicorn's convention), else 3 (2 cores: one more than the cores).
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = 4
#: Seconds an idle client connection stays open (behind a reverse proxy: longer than its upstream idle timeout).
keepalive = 5
#: Import and build the app once, in the master; the workers are forked with it.
preload_app = True
