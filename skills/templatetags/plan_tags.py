"""``{% may_plan as planner %}``: whether the viewer may open the training plan page, for
pages that link to it (the impact page; the unit report may use it too)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def may_plan(context) -> bool:
    from people.models import Grant
    from skills.plan.views import PLAN_ROLES

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or bool(Grant.objects.scope_for(user, roles=PLAN_ROLES).roles)


@register.simple_tag(takes_context=True)
def may_schedule(context, unit) -> bool:
    """Whether the viewer may schedule a change to ``unit``'s targets (chief officers)."""
    from skills.targets.views import may_schedule as allowed

    request = context.get("request")
    user = getattr(request, "user", None)
    return user is not None and allowed(user, unit)
