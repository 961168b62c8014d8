from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.static import serve

from tinhuy import errors
from tinhuy.api import api
from tinhuy.audit import views as audit_views
from tinhuy.org import views as org_views

urlpatterns = [
    path("", org_views.home, name="home"),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("tai-khoan/", include("tinhuy.accounts.urls")),
    path("co-cau/<int:structure_id>/", org_views.structure_detail, name="structure_detail"),
    path("co-cau/<int:structure_id>/nhap/", org_views.structure_import, name="structure_import"),
    path(
        "co-cau/<int:structure_id>/nhap/mau/",
        org_views.structure_import_template,
        name="structure_import_template",
    ),
    path("don-vi/<int:unit_id>/", org_views.unit_detail, name="unit_detail"),
    path("don-vi/<int:unit_id>/truc-thuoc/", org_views.unit_children, name="unit_children"),
    path("nhat-ky/", audit_views.audit_log, name="audit_log"),
    path("hoc-tap/", include("tinhuy.study.urls")),
    path("hop-ban-thuong-vu/", include("tinhuy.meetings.urls")),
    path("so-van-ban/", include("tinhuy.register.urls")),
    path("chuong-trinh/", include("tinhuy.programs.urls")),
    path("dia-chi/", include("tinhuy.gazetteer.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
]

# Error pages in the frame of the address (the public gazetteer's or the application's); JSON
# problem documents under /api/ (tinhuy/errors.py).
handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
