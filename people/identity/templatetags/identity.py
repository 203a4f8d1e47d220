from django import template

from people.identity.models import Directory

register = template.Library()


@register.simple_tag
def force_directories():
    """Force directories open for sign-in, for the buttons on the sign-in page."""
    return list(Directory.objects.filter(enabled=True).order_by("name"))
