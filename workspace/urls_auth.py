"""Sign-in related workspace pages, included under /coach/ (namespace-free names)."""

from django.urls import path

from workspace import keys, security

urlpatterns = [
    path("security/", security.security, name="workspace_security"),
    path("keys/", keys.key_list, name="workspace_keys"),
    path("keys/new/", keys.key_create, name="workspace_key_create"),
    path("keys/<int:pk>/revoke/", keys.key_revoke, name="workspace_key_revoke"),
]
