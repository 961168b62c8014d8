"""Exported documents: Party-format .docx (``docx``, laid out by ``party_style``) and .xlsx tables
(``xlsx``). Content comes from the callers; these modules only lay it out."""
