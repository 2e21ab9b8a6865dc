"""Celery worker of the console's background runs, used when ``SHOWCASE_CELERY_BROKER`` (a Redis URL) is set.

Start it with the same environment as the console (``SHOWCASE_PRIVATE_DIR``, ``SHOWCASE_DATA_DIR``,
``SHOWCASE_CELERY_BROKER``)::

    celery -A console.worker:celery_app worker --concurrency 2

Building the console app registers every background callback as a Celery task of ``celery_app``.
"""

from __future__ import annotations

from console.app import celery_manager, create_app
from console.config import ConsoleSettings

settings = ConsoleSettings.from_env()
if not settings.celery_broker:
    raise SystemExit("console.worker: set SHOWCASE_CELERY_BROKER (e.g. redis://127.0.0.1:6379/0)")
manager = celery_manager(settings.celery_broker)
dash_app = create_app(settings, manager)
celery_app = manager.handle
