from allauth.account.adapter import DefaultAccountAdapter


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """No public sign-up: accounts are created by coordinators and administrators."""

    def is_open_for_signup(self, request):
        return False
