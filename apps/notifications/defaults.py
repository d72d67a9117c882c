# ruff: noqa: E501 - template sources read best unbroken
"""The default templates (written by migration 0003, and used when no active row of a type is
left). Context: see apps/notifications/services/rendering.py."""

_MOVIE_LINE = (
    "{{ movie.title }}{% if movie.year %} ({{ movie.year }}){% endif %}"
    "{% if movie.reason %}: {{ movie.reason }}{% endif %}"
)
_FOOTER_TEXT = (
    "\n--\nChange what {{ site_name }} sends you: {{ preferences_url }}\n"
    "{% if unsubscribe_url %}Stop these emails: {{ unsubscribe_url }}\n{% endif %}"
)
_FOOTER_HTML = (
    '<p style="color:#666;font-size:12px"><a href="{{ preferences_url }}">Notification settings</a>'
    '{% if unsubscribe_url %} | <a href="{{ unsubscribe_url }}">Unsubscribe</a>{% endif %}</p>'
)


def _html(body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en">\n<body style="font-family: sans-serif; line-height: 1.5;">\n'
        f"{body}\n{_FOOTER_HTML}\n</body>\n</html>\n"
    )


def _section_text(name: str, title: str) -> str:
    return (
        f"{{% if {name} %}}{title}\n{{% for movie in {name} %}}- {_MOVIE_LINE}\n"
        "  {{ movie.url }}\n{% endfor %}\n{% endif %}"
    )


def _section_html(name: str, title: str) -> str:
    return (
        f"{{% if {name} %}}<h2>{title}</h2>\n<ul>{{% for movie in {name} %}}"
        '<li><a href="{{ movie.url }}">{{ movie.title }}</a>{% if movie.year %} ({{ movie.year }}){% endif %}'
        "{% if movie.reason %}<br><small>{{ movie.reason }}</small>{% endif %}</li>"
        "{% endfor %}</ul>{% endif %}"
    )


_DIGEST_SECTIONS = (
    ("recommendations", "Picked for you"),
    ("new_releases", "New in your favorite genres"),
    ("trending", "Trending this week"),
)

DEFAULT_TEMPLATES = {
    "email_weekly_digest": {
        "name": "Weekly digest (email)",
        "subject": "Your week on {{ site_name }}"
        "{% if recommendations %}: {{ recommendations.0.title }} and more{% endif %}",
        "text_content": "Hello {{ user.username }},\n\nHere is your week on {{ site_name }}.\n\n"
        + "".join(_section_text(name, title) for name, title in _DIGEST_SECTIONS)
        + _FOOTER_TEXT,
        "html_content": _html(
            "<p>Hello {{ user.username }},</p>\n<p>Here is your week on {{ site_name }}.</p>\n"
            + "\n".join(_section_html(name, title) for name, title in _DIGEST_SECTIONS)
        ),
    },
    "email_recommendation": {
        "name": "Recommendation alert (email)",
        "subject": "We think you will like {{ movie.title }}",
        "text_content": "Hello {{ user.username }},\n\n"
        + _MOVIE_LINE
        + "\n{{ movie.url }}\n"
        + _FOOTER_TEXT,
        "html_content": _html(
            '<p>Hello {{ user.username }},</p>\n<p><a href="{{ movie.url }}">{{ movie.title }}</a>'
            "{% if movie.year %} ({{ movie.year }}){% endif %}</p>\n"
            "{% if movie.reason %}<p>{{ movie.reason }}</p>{% endif %}"
        ),
    },
    "email_new_release": {
        "name": "New release alert (email)",
        "subject": "Out now: {{ movie.title }}",
        "text_content": "Hello {{ user.username }},\n\n{{ movie.title }} is out"
        "{% if movie.reason %} ({{ movie.reason }}){% endif %}.\n{{ movie.url }}\n" + _FOOTER_TEXT,
        "html_content": _html(
            '<p>Hello {{ user.username }},</p>\n<p><a href="{{ movie.url }}">{{ movie.title }}</a> is out'
            "{% if movie.reason %} ({{ movie.reason }}){% endif %}.</p>"
        ),
    },
    "email_trending": {
        "name": "Trending alert (email)",
        "subject": "Trending on {{ site_name }}: {{ movie.title }}",
        "text_content": "Hello {{ user.username }},\n\n{{ movie.title }} is what everyone is watching today.\n"
        "{{ movie.url }}\n" + _FOOTER_TEXT,
        "html_content": _html(
            '<p>Hello {{ user.username }},</p>\n<p><a href="{{ movie.url }}">{{ movie.title }}</a> '
            "is what everyone is watching today.</p>"
        ),
    },
    "push_recommendation": {
        "name": "Recommendation alert (push)",
        "subject": "Picked for you: {{ movie.title }}",
        "text_content": "{% if movie.reason %}{{ movie.reason }}{% else %}We think you will like it.{% endif %}",
        "html_content": "",
    },
    "push_new_release": {
        "name": "New release alert (push)",
        "subject": "Out now: {{ movie.title }}",
        "text_content": "{% if movie.reason %}{{ movie.reason }}{% else %}Just released.{% endif %}",
        "html_content": "",
    },
    "push_trending": {
        "name": "Trending alert (push)",
        "subject": "Trending: {{ movie.title }}",
        "text_content": "What everyone is watching today.",
        "html_content": "",
    },
    "push_weekly_digest": {
        "name": "Weekly digest (in-app)",
        "subject": "Your weekly picks are here",
        "text_content": "{% if recommendations %}{{ recommendations.0.title }}"
        "{% if recommendations|length > 1 %} and {{ recommendations|length|add:-1 }} more{% endif %}"
        "{% else %}New releases and what is trending{% endif %}.",
        "html_content": "",
    },
}
