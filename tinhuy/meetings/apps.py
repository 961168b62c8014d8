from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "tinhuy.meetings"
    verbose_name = _("Phiên họp Ban Thường vụ")

    def ready(self) -> None:
        from tinhuy.meetings.plans import StudyPlanSubject
        from tinhuy.meetings.subjects import register

        register(StudyPlanSubject())
