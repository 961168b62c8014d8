"""The files units fill in and upload, one module per thing imported: ``reports`` (the conference
report template and its upload), ``members``, ``attendance`` and ``invitees``. Every file is read by
``tinhuy.documents.tables`` and every template is written by ``tinhuy.documents.xlsx``."""
