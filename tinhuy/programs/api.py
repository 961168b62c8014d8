"""Programme endpoints: programmes, their tree and roll-up, tasks, reports, the completeness
gate (``missing_for_approval``) and hand-over. Reads go through ``tinhuy.programs.access`` and
``tinhuy.programs.queries`` (outside what the caller sees is 404, in the same words as an id
that does not exist); writes are actions of ``tinhuy.programs.actions``."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["Chương trình, đề án"])
