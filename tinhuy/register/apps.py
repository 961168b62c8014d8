from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    name = "tinhuy.register"
    label = "register"
    verbose_name = _("Sổ đăng ký văn bản đi")
