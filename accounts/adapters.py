from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Coaches are created by the site owner; public sign-up stays closed."""

    def is_open_for_signup(self, request) -> bool:
        return False
