from tinhuy.accounts.views import urlpatterns

__all__ = ["urlpatterns"]
