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


@register.simple_tag
def minutes_bar(required, credited, expected=None, width=160):
    """Required minutes as the track, what was delivered as the fill, the pace as a tick.
    Decorative: the table beside it carries the numbers."""
    if not required:
        return ""
    scale = width / max(required, credited or 0)
    fill = min(credited or 0, required) * scale
    extra = max(0, (credited or 0) - required) * scale
    parts = [
        format_html(
            '<rect x="0" y="2" width="{}" height="10" fill="#e6eaef"/>', f"{required * scale:.1f}"
        ),
        format_html('<rect x="0" y="2" width="{}" height="10" fill="#1b6e3a"/>', f"{fill:.1f}"),
    ]
    if extra:
        parts.append(
            format_html(
                '<rect x="{}" y="2" width="{}" height="10" fill="#7fb08f"/>',
                f"{required * scale:.1f}",
                f"{extra:.1f}",
            )
        )
    if expected:
        x = min(expected, required) * scale
        parts.append(
            format_html('<rect x="{}" y="0" width="2" height="14" fill="#a4161a"/>', f"{x:.1f}")
        )
    return format_html(
        '<svg width="{}" height="14" aria-hidden="true" focusable="false">{}</svg>',
        width,
        format_html_join("", "{}", ((p,) for p in parts)),
    )


@register.filter
def percent(value):
    return "—" if value is None else f"{value:.0f}%"


@register.filter
def reasons(missed: dict):
    from schoolot.delivery.models import MissedReason

    labels = dict(MissedReason.choices)
    return ", ".join(f"{labels.get(k, k)}: {v}" for k, v in sorted(missed.items()))


@register.filter
def sum_values(values):
    return sum(values)
