app_name = "skills"

urlpatterns: list = []
