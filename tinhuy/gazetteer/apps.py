from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GazetteerConfig(AppConfig):
    name = "tinhuy.gazetteer"
    verbose_name = _("Địa chí")
