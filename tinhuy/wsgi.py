"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

from tinhuy.bulk import freeze_startup_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhuy.settings")
application = get_wsgi_application()
# What the worker loaded to serve lives as long as it: out of the garbage collector's walks.
freeze_startup_objects()
