from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()

COLOURS = {
    "direct": "#0b5cad",
    "indirect": "#5b8c2a",
    "gened": "#b7791f",
    "compliance": "#8e3b8e",
    "travel": "#6b7280",
}


@register.filter
def hours(row, category):
    return row.hours(category)


@register.simple_tag
def workload_bar(row, categories):
    """A small stacked bar of the row's hours by category (the table beside it has the
    numbers; the bar is decorative for screen readers)."""
    total = row.total_minutes
    if not total:
        return ""
    x, parts = 0.0, []
    for key, _label in categories:
        width = 120 * row.minutes.get(key, 0) / total
        if width:
            parts.append((f"{x:.1f}", f"{width:.1f}", COLOURS.get(key, "#999")))
            x += width
    rects = format_html_join("", '<rect x="{}" y="0" width="{}" height="12" fill="{}"/>', parts)
    return format_html(
        '<svg width="120" height="12" aria-hidden="true" focusable="false">{}</svg>', rects
    )
