"""Log in and out, with a lock-out after repeated failures."""

from django.urls import reverse

from tests.conftest import PASSWORD


def test_persona_logs_in_with_the_demo_password_and_out_again(client, db) -> None:
    response = client.post(reverse("login"), {"username": "vinh", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_shows_a_vietnamese_message(client, db) -> None:
    response = client.post(reverse("login"), {"username": "vinh", "password": "sai"})
    assert response.status_code == 200
    assert "mật khẩu chính xác" in response.content.decode()


def test_account_is_locked_after_five_failures(client, db) -> None:
    """After five wrong passwords even the right one is refused, with the lock-out page."""
    for _ in range(5):
        client.post(reverse("login"), {"username": "nghiloc", "password": "sai"})
    response = client.post(reverse("login"), {"username": "nghiloc", "password": PASSWORD})
    assert response.status_code == 429
    assert "Tạm khóa đăng nhập" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_lock_out_of_one_user_does_not_lock_another(client, db) -> None:
    for _ in range(5):
        client.post(reverse("login"), {"username": "nghiloc", "password": "sai"})
    response = client.post(reverse("login"), {"username": "vinh", "password": PASSWORD})
    assert response.status_code == 302
