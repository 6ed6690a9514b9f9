from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Coach, User
from accounts.services import coach_rotate_feed_token


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups",
                                       "user_permissions")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",),
                             "fields": ("email", "password1", "password2")}),)


@admin.register(Coach)
class CoachAdmin(admin.ModelAdmin):
    list_display = ["display_name", "slug", "timezone", "language", "retention_days"]
    prepopulated_fields = {"slug": ["display_name"]}
    # Photos go through her profile page, which checks and re-encodes them (accounts.photos).
    readonly_fields = ["photo"]
    actions = ["rotate_feed_token"]

    @admin.action(description=_("Rotate the private calendar feed URL"))
    def rotate_feed_token(self, request, queryset) -> None:
        for coach in queryset:
            coach_rotate_feed_token(coach=coach)
        self.message_user(request, _("Feed URLs rotated; the old ones no longer work."),
                          messages.SUCCESS)
