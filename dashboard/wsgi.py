"""WSGI entry for gunicorn: ``gunicorn -w 2 --preload -b 127.0.0.1:8050 dashboard.wsgi:server``."""

from dashboard.app import create_app

app = create_app()
server = app.server
