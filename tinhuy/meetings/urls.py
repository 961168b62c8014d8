from django.urls import path
from django.views.generic import RedirectView

from tinhuy.meetings.views import drafts, follow_ups, meetings

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="meetings_drafts"), name="meetings_home"),
    *drafts.urlpatterns,
    *meetings.urlpatterns,
    *follow_ups.urlpatterns,
]
