from tinhuy.programs.views import delegations, exports, programmes, progress

urlpatterns = [
    *programmes.urlpatterns,
    *progress.urlpatterns,
    *delegations.urlpatterns,
    *exports.urlpatterns,
]
