from django.conf import settings

from people.access import navigation_for


def navigation(request):
    """The navigation items this user's roles give them, and the classification marking."""
    context = {"register_classification": settings.REGISTER_CLASSIFICATION, "nav_items": []}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["nav_items"] = navigation_for(request)
    return context
