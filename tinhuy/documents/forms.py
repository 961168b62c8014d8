"""The one upload form every import page uses: a CSV or .xlsx file, refused when too large
before anyone reads it (``tables.size_error``); its content is checked by the importer. And the
one date field every form uses: typed dd/mm/yyyy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tinhuy.documents.tables import RowError, kilobytes, size_error

R = TypeVar("R")

DATE_INPUT = "%d/%m/%Y"
BAD_DATE = _("Ghi ngày theo dạng dd/mm/yyyy (ví dụ 05/01/2021); ngày phải có thật.")
REQUIRED = _("Hãy điền mục này.")


def date_field(label: Any, **kwargs: Any) -> forms.DateField:
    """A date typed dd/mm/yyyy — only that: "2021-01-05" or "01/05/2021" read another way
    would be a wrong date taken silently — with the Vietnamese messages every form gives."""
    return forms.DateField(
        label=label,
        input_formats=[DATE_INPUT],
        widget=forms.DateInput(format=DATE_INPUT, attrs={"placeholder": "dd/mm/yyyy"}),
        error_messages={"invalid": BAD_DATE, "required": REQUIRED},
        **kwargs,
    )


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


@dataclass
class Upload(Generic[R]):
    """One POST of an upload page, as every import page handles it: the form, and — when the
    file was small enough to read — the importer's ``result``. ``status`` is what the page
    answers when it shows the form again: 413 for a file too large, 400 for a missing file,
    a refused file or rows with errors."""

    form: UploadForm
    result: R | None = None
    status: int = 200

    @property
    def errors(self) -> list[RowError]:
        return list(getattr(self.result, "errors", None) or [])

    @property
    def succeeded(self) -> bool:
        return self.result is not None and not self.errors

    def context(self) -> dict[str, Any]:
        """What the page's template shows: the form, the errors and how many there were."""
        errors = getattr(self.result, "errors", None) or []
        return {
            "form": self.form,
            "errors": errors,
            "error_total": getattr(errors, "total", len(errors)),
        }


def handle_upload(
    request: HttpRequest,
    run: Callable[[UploadForm], R],
    *,
    form_class: type[UploadForm] = UploadForm,
    label: str | None = None,
) -> Upload[R]:
    """The form of a GET, or a POST's file checked by the form then given to ``run`` (the
    importer, called with the valid form: ``form.read()``, ``form.filename``)."""
    if request.method != "POST":
        return Upload(form_class(label=label))
    form = form_class(request.POST, request.FILES, label=label)
    if not form.is_valid():
        return Upload(form, status=form.status())
    upload = Upload(form, run(form))
    if upload.errors:
        upload.status = 400
    return upload


# Documents attached to a draft: what they may be, told by their first bytes, not their name.
ATTACHMENT_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    ".xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}


def attachment_type(name: str) -> str | None:
    """The content type served for an attachment's name, if it is a kind we keep."""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    known = ATTACHMENT_TYPES.get(suffix)
    return known[0] if known else None


class AttachmentForm(forms.Form):
    """A document attached to a draft: PDF, Word, Excel or an image, within the size limit,
    whose content is what its name says."""

    file = forms.FileField(
        label=_("Tài liệu kèm theo"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(ATTACHMENT_TYPES), "class": "form-control"}
        ),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = settings.TINHUY_ATTACHMENT_MAX_BYTES
        if (upload.size or 0) > limit:
            raise forms.ValidationError(
                _("Tệp quá lớn (%(size)s KB); chỉ nhận tệp đến %(limit)s KB.")
                % {"size": kilobytes(upload.size or 0), "limit": kilobytes(limit)}
            )
        name = str(upload.name or "")
        suffix = name[name.rfind(".") :].lower() if "." in name else ""
        if suffix not in ATTACHMENT_TYPES:
            raise forms.ValidationError(_("Chỉ nhận tệp PDF, Word, Excel hoặc ảnh PNG, JPEG."))
        head = upload.read(16)
        upload.seek(0)
        if not head.startswith(ATTACHMENT_TYPES[suffix][1]):
            raise forms.ValidationError(
                _("Nội dung tệp “%(name)s” không phải tệp %(kind)s như tên tệp cho biết.")
                % {"name": name, "kind": suffix}
            )
        return upload
