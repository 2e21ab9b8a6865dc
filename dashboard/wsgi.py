"""WSGI entry for gunicorn: ``gunicorn -c python:dashboard.gunicorn_conf dashboard.wsgi:server`` (its settings:
dashboard/gunicorn_conf.py)."""

from dashboard.app import create_app

app = create_app()
server = app.server
