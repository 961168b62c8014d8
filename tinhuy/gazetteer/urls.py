from tinhuy.gazetteer.views import editor, figures, public

urlpatterns = [*editor.urlpatterns, *figures.urlpatterns, *public.urlpatterns]
