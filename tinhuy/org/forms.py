"""TEMPORARY: the gazetteer's figures page still names the old upload form; every upload page
uses ``tinhuy.documents.forms.UploadForm``. Removed once the gazetteer moves."""

from tinhuy.documents.forms import UploadForm as StructureImportForm

__all__ = ["StructureImportForm"]
