from django import template

from people.identity.models import Directory

register = template.Library()


@register.simple_tag
def force_directories():
    """Force directories open for sign-in, for the buttons on the sign-in page."""
    return list(Directory.objects.filter(enabled=True).order_by("name"))


@register.inclusion_tag("identity/person_login_history.html")
def login_history(person):
    """Changes to the person's login, newest first, with who made each (login events): for
    the person page, beside the changes to their record."""
    events = []
    if person.user_id:
        from people.identity.models import LoginEvent

        events = list(LoginEvent.objects.filter(user_id=person.user_id).select_related("by"))
    return {"person": person, "events": events}
