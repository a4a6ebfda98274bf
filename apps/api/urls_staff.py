app_name = "api_keys"

urlpatterns: list = []
