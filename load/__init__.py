"""``make load``: gunicorn with production settings under locust, on SQLite and PostgreSQL.

``load/run.py`` is the runner (``python -m load``), ``load/locustfile.py`` what the simulated
users do, ``load/targets.py`` what they ask for (found in the loaded demo). See the "Load test"
section of ``docs/operations.md``.
"""
