"""A person's name the Vietnamese way: family, middle, then given name ("Phạm Văn Hùng").

Django's ``get_full_name`` puts the first name first ("Hùng Phạm Văn"); our accounts keep the
given name in ``first_name`` and the family and middle names in ``last_name``."""

from __future__ import annotations

from typing import Any


def full_name(user: Any) -> str:
    """The account's name in Vietnamese order, else its username."""
    name = f"{user.last_name} {user.first_name}".strip()
    return name or user.get_username()
