"""The data-owner console: a separate, signed-in Dash app over the private workspace (``python -m console``).

The public dashboard never imports this package (tests/test_architecture.py) and never reads the private
workspace; the console publishes only through :func:`synth.refresh.publish_staged`.
"""
