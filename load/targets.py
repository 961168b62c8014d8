"""What the load's simulated users ask for, found in the database the server is about to serve.

``python -m load.targets`` (run by ``load/run.py`` with the server's environment) prints one JSON
object: the study plans the province office's account sees issued, the entries of the latest
gazetteer edition, the search questions and the figure look-up questions. The locustfile turns
them into addresses (``load.locustfile.paths``); it imports nothing of Django, so it runs beside a
server it knows nothing else about.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

# The province office's demo account (README's list): it sees every unit, so its dashboard is
# the largest one the demo has.
OFFICE_USERNAME = "vanphong"

# What a citizen types into the gazetteer's search box: with and without Vietnamese marks (the
# search folds them), a place, a subject, a misspelling that gets a "did you mean".
SEARCH_QUERIES = (
    "nghe an",
    "Nghệ An",
    "Vinh",
    "dân số",
    "sông Lam",
    "dân ca ví giặm",
    "huyen nam dan",
    "lịch sử",
    "Cửa Lò",
    "nghê an",
)


def find() -> dict[str, Any]:
    """The targets, or SystemExit with what is missing (the demo not loaded, most likely)."""
    from django.contrib.auth import get_user_model

    from tinhuy.gazetteer import lookup, queries
    from tinhuy.org.access import scope_for
    from tinhuy.study.models import PlanState
    from tinhuy.study.queries import plans_for

    missing = "run `tinhuy demo` on this database first"
    user = get_user_model().objects.filter(username=OFFICE_USERNAME).first()
    if user is None:
        raise SystemExit(f"No account {OFFICE_USERNAME!r}: {missing}.")
    plan_ids = list(
        plans_for(scope_for(user)).filter(state=PlanState.ISSUED).values_list("pk", flat=True)
    )
    if not plan_ids:
        raise SystemExit(f"{OFFICE_USERNAME!r} sees no issued study plan: {missing}.")
    edition = queries.latest_edition()
    if edition is None:
        raise SystemExit(f"No published gazetteer edition: {missing}.")
    entries = [
        [edition.year, slug]
        for slug in queries.edition_entries(edition).values_list("slug", flat=True)
    ]
    if not entries:
        raise SystemExit(f"The gazetteer edition {edition.year} has no entry: {missing}.")
    lookups = lookup.examples(edition, limit=20)
    if not lookups:
        raise SystemExit(f"The gazetteer edition {edition.year} has no figure: {missing}.")
    return {
        "username": OFFICE_USERNAME,
        "plan_ids": plan_ids,
        "entries": entries,
        "search": list(SEARCH_QUERIES),
        "lookup": lookups,
    }


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhuy.settings")
    import django

    django.setup()
    json.dump(find(), sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
