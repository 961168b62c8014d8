"""Uploaded gazetteer images are served from MEDIA_ROOT, and nothing outside it is."""

from pathlib import Path

from django.conf import settings


def test_an_uploaded_file_is_served(client) -> None:
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    (root / "test-media.txt").write_text("ảnh")
    try:
        assert client.get("/media/test-media.txt").status_code == 200
    finally:
        (root / "test-media.txt").unlink()


def test_paths_outside_the_media_folder_are_not_served(client) -> None:
    # Django refuses a path that climbs out of the folder (400) or finds nothing (404).
    assert client.get("/media/../settings.py").status_code in (400, 404)
    assert client.get("/media/%2e%2e/tinhuy/settings.py").status_code in (400, 404)
    assert client.get("/media/../../tinhuy/settings.py").status_code in (400, 404)
