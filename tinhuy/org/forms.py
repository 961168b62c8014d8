from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from tinhuy.org.importing import size_error


class StructureImportForm(forms.Form):
    """The file to import; its content is checked by ``tinhuy.org.importing``."""

    file = forms.FileField(
        label=_("Tệp CSV hoặc .xlsx"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        # Refuse a file that is too large before anyone reads it into memory.
        error = size_error(upload.size or 0)
        if error is not None:
            raise forms.ValidationError(error.message)
        return upload
