"""The one upload form every import page uses: a CSV or .xlsx file, refused when too large
before anyone reads it (``tables.size_error``); its content is checked by the importer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from tinhuy.documents.tables import size_error


class UploadForm(forms.Form):
    """``too_large`` tells the view to answer 413 (Payload Too Large) with the form's message."""

    file = forms.FileField(
        label=_("Tệp CSV hoặc .xlsx"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx", "class": "form-control"}),
    )

    def __init__(self, *args: Any, label: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = False
        if label is not None:
            self.fields["file"].label = label

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        error = size_error(upload.size or 0)
        if error is not None:
            self.too_large = True
            raise forms.ValidationError(error.message)
        return upload

    def read(self) -> bytes:
        """The uploaded bytes (the form is valid, so the size is within the limit)."""
        upload: UploadedFile = self.cleaned_data["file"]
        return upload.read()

    @property
    def filename(self) -> str:
        return str(self.cleaned_data["file"].name or "")

    def status(self) -> int:
        """The status an invalid form answers with: 413 for a file too large, else 400."""
        return 413 if self.too_large else 400
