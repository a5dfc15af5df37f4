from django import template

from courses.models import CoursePage

register = template.Library()


@register.inclusion_tag("courses/includes/featured_courses.html")
def featured_courses(limit=3):
    """The home page's featured courses (cms's template names the tag, never the model)."""
    return {"courses": CoursePage.objects.live().order_by("path")[:limit]}
