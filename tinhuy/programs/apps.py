from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "tinhuy.programs"
    verbose_name = _("Chương trình, đề án")

    def ready(self) -> None:
        from tinhuy.meetings.subjects import register
        from tinhuy.programs.subject import ProgrammeSubject

        register(ProgrammeSubject())
