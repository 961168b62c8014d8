"""Where uploaded documents that are not public live: ``VAR_DIR/private/``, outside
``MEDIA_ROOT`` (which ``/media/`` serves to anyone). A file here goes out only through a view
that checks who may see what it belongs to."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """``VAR_DIR/private``, read from the settings at each use (not when the model loads), so
    a site moved to another data directory, or a test's, finds its files there."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(base_url=None, **kwargs)

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(settings.VAR_DIR / "private")

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def private_storage() -> PrivateStorage:
    return PrivateStorage()
