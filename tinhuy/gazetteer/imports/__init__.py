"""What the gazetteer reads from files: one module per thing imported.

- ``figures``: figures (indicator × place × year) from a CSV or .xlsx file, or the API's list;
- ``folder``: the whole gazetteer as a folder (entries as Markdown, chapters, indicators,
  figures), read and written back by ``tinhuy gazetteer import/export``.

Both read their tables with ``tinhuy.documents.tables`` and report ``RowError``s.
"""
