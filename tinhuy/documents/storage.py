"""Where uploaded documents that are not public live: ``VAR_DIR/private/``, outside
``MEDIA_ROOT`` (which ``/media/`` serves to anyone). A file here goes out only through a view
that checks who may see what it belongs to."""

from __future__ import annotations

import hashlib
import os
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from tinhuy.search.text import normalize


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


def keep_file(
    attachment: Any, *, name: str, content: bytes, content_type: str, uploaded_by: Any
) -> Any:
    """Fill an attachment row of any module (a draft's, a progress report's: each has
    ``name``, ``file`` on the private storage, ``content_type``, ``size``, ``sha256``,
    ``uploaded_by``, ``uploaded_at``) from an upload, store its file and save it. The user's
    file name is kept in ``name`` (NFC, at most 255 characters); the stored file gets a name of
    its own (the field's ``upload_to``)."""
    attachment.name = normalize(name)[:255] or "tai-lieu"
    attachment.content_type = content_type
    attachment.size = len(content)
    attachment.sha256 = hashlib.sha256(content).hexdigest()
    attachment.uploaded_by = uploaded_by
    attachment.uploaded_at = timezone.now()
    attachment.file.save(attachment.name, ContentFile(content), save=False)
    attachment.save()
    return attachment
