from tinhuy.study.views import conferences, dashboard, plans, reminders

urlpatterns = [
    *plans.urlpatterns,
    *dashboard.urlpatterns,
    *conferences.urlpatterns,
    *reminders.urlpatterns,
]
