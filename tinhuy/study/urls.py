from tinhuy.study.views import conferences, dashboard, invitees, plans, reminders

urlpatterns = [
    *plans.urlpatterns,
    *dashboard.urlpatterns,
    *conferences.urlpatterns,
    *reminders.urlpatterns,
    *invitees.urlpatterns,
]
