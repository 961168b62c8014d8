"""The province a unit belongs to: the column every large table carries (DESIGN.md, "Scale
plan"), so that partitioning by province and Citus distribution need no rewrite.

A structure is one province's (its top unit is the province) or, with
``Structure.roll_up_by_part``, many provinces' under one national top (the provinces are the
units right below it, the parts of ``tinhuy.org.versions``). So the province is a function of
the materialised path and that flag alone, which must not change once units exist
(``Structure.clean``).
"""

from __future__ import annotations

from tinhuy.org.versions import WHOLE, part_of


def province_of(path: str, roll_up_by_part: bool) -> int:
    """The id of the province of the unit at ``path`` ("/1/18/123/"): the top (1) of a
    province's structure; in a structure of many provinces the unit right below the top (18),
    the national top being its own (1)."""
    if roll_up_by_part:
        part = part_of(path)
        if part != WHOLE:
            return part
    return int(path.strip("/").split("/", 1)[0])
