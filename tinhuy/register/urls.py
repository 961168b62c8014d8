from tinhuy.register.views import urlpatterns

__all__ = ["urlpatterns"]
