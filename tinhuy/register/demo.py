"""Demo registers: the Tỉnh ủy Nghệ An (symbol TU) in both structures, with its terms.

A Party committee's series runs through its term and starts again at 01 after the congress.
The exact dates of the Provincial Party Congresses (the 18th in 2015, the 19th in 2020, the
20th in 2025) must be confirmed from the province's records: the terms below start on the first
day of October of the congress year and end the day before the next one — placeholders, not
facts. Only the month (October 2020) is attested in our sources (``PARTY-DOCUMENTS.md``).
"""

from __future__ import annotations

import datetime

from django.db import transaction

from tinhuy.org.loaders import CURRENT_CODE, STRUCTURE_2020_CODE
from tinhuy.org.models import Structure, Unit
from tinhuy.register.actions import do_create_issuing_body, do_open_period
from tinhuy.register.models import IssuingBody, Scheme

D = datetime.date

PROVINCE_CODE = "40"
# (structure code, [(label, starts_on, ends_on)]). A unit never moves between structures, so
# each structure's province unit keeps its own register; each holds the terms of its years.
# The exact congress dates must be confirmed: 01/10 stands for "October" (see above).
TERMS: tuple[tuple[str, tuple[tuple[str, datetime.date, datetime.date | None], ...]], ...] = (
    (
        STRUCTURE_2020_CODE,
        (
            ("Nhiệm kỳ 2015–2020", D(2015, 10, 1), D(2020, 9, 30)),
            ("Nhiệm kỳ 2020–2025", D(2020, 10, 1), D(2025, 9, 30)),
        ),
    ),
    (CURRENT_CODE, (("Nhiệm kỳ 2025–2030", D(2025, 10, 1), None),)),
)


def load_register_demo() -> list[str]:
    """Declare the province committee's registers and terms (nothing on a second run)."""
    changes: list[str] = []
    with transaction.atomic():
        for structure_code, terms in TERMS:
            structure = Structure.objects.filter(code=structure_code).first()
            if structure is None:
                continue
            unit = Unit.objects.get(structure=structure, code=PROVINCE_CODE)
            body = IssuingBody.objects.filter(unit=unit).first()
            if body is None:
                body = do_create_issuing_body(
                    unit,
                    symbol="TU",
                    superior_name="ĐẢNG BỘ TỈNH NGHỆ AN",
                    name="TỈNH ỦY",
                    place="Nghệ An",
                    scheme=Scheme.PARTY,
                    acting_user=None,
                )
                changes.append(f"Sổ đăng ký văn bản đi: {body.name} ({structure.name})")
            for label, starts_on, ends_on in terms:
                if not body.periods.filter(label=label).exists():
                    do_open_period(
                        body, label=label, starts_on=starts_on, ends_on=ends_on, acting_user=None
                    )
    return changes
