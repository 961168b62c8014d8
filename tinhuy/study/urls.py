from tinhuy.study.views import conferences, dashboard, drafting, invitees, plans, reminders

urlpatterns = [
    *plans.urlpatterns,
    *drafting.urlpatterns,
    *dashboard.urlpatterns,
    *conferences.urlpatterns,
    *reminders.urlpatterns,
    *invitees.urlpatterns,
]
