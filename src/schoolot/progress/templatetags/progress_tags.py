from django import template

register = template.Library()


@register.filter
def aim_on(line, day):
    """The aim line's value on a day."""
    return line.value_on(day) if line is not None else ""
