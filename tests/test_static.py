"""The vendored front-end files are found by Django's finders, so WhiteNoise serves them."""

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.parametrize(
    "path",
    ["vendor/bootstrap.min.css", "vendor/bootstrap.bundle.min.js", "vendor/htmx.min.js",
     "vendor/chart.umd.min.js", "tinhuy.css"],
)  # fmt: skip
def test_static_file_is_found(path: str) -> None:
    assert finders.find(path)
