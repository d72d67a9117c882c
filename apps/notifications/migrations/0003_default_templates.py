"""The default templates, one per type, as rows editors change in the admin. The texts are
copied here (not imported), so this migration keeps writing what it wrote when later code
changes the defaults."""

from django.db import migrations

TEMPLATES = {
    "email_weekly_digest": {
        "name": "Weekly digest (email)",
        "subject": "Your week on {{ site_name }}{% if recommendations %}: {{ "
        "recommendations.0.title }} and more{% endif %}",
        "text_content": "Hello {{ user.username }},\n"
        "\n"
        "Here is your week on {{ site_name }}.\n"
        "\n"
        "{% if recommendations %}Picked for you\n"
        "{% for movie in recommendations %}- {{ movie.title "
        "}}{% if movie.year %} ({{ movie.year }}){% endif "
        "%}{% if movie.reason %}: {{ movie.reason }}{% endif "
        "%}\n"
        "  {{ movie.url }}\n"
        "{% endfor %}\n"
        "{% endif %}{% if new_releases %}New in your favorite "
        "genres\n"
        "{% for movie in new_releases %}- {{ movie.title }}{% "
        "if movie.year %} ({{ movie.year }}){% endif %}{% if "
        "movie.reason %}: {{ movie.reason }}{% endif %}\n"
        "  {{ movie.url }}\n"
        "{% endfor %}\n"
        "{% endif %}{% if trending %}Trending this week\n"
        "{% for movie in trending %}- {{ movie.title }}{% if "
        "movie.year %} ({{ movie.year }}){% endif %}{% if "
        "movie.reason %}: {{ movie.reason }}{% endif %}\n"
        "  {{ movie.url }}\n"
        "{% endfor %}\n"
        "{% endif %}\n"
        "--\n"
        "Change what {{ site_name }} sends you: {{ "
        "preferences_url }}\n"
        "{% if unsubscribe_url %}Stop these emails: {{ "
        "unsubscribe_url }}\n"
        "{% endif %}",
        "html_content": "<!doctype html>\n"
        '<html lang="en">\n'
        '<body style="font-family: sans-serif; line-height: '
        '1.5;">\n'
        "<p>Hello {{ user.username }},</p>\n"
        "<p>Here is your week on {{ site_name }}.</p>\n"
        "{% if recommendations %}<h2>Picked for you</h2>\n"
        "<ul>{% for movie in recommendations %}<li><a "
        'href="{{ movie.url }}">{{ movie.title }}</a>{% if '
        "movie.year %} ({{ movie.year }}){% endif %}{% if "
        "movie.reason %}<br><small>{{ movie.reason "
        "}}</small>{% endif %}</li>{% endfor %}</ul>{% endif "
        "%}\n"
        "{% if new_releases %}<h2>New in your favorite "
        "genres</h2>\n"
        '<ul>{% for movie in new_releases %}<li><a href="{{ '
        'movie.url }}">{{ movie.title }}</a>{% if movie.year '
        "%} ({{ movie.year }}){% endif %}{% if movie.reason "
        "%}<br><small>{{ movie.reason }}</small>{% endif "
        "%}</li>{% endfor %}</ul>{% endif %}\n"
        "{% if trending %}<h2>Trending this week</h2>\n"
        '<ul>{% for movie in trending %}<li><a href="{{ '
        'movie.url }}">{{ movie.title }}</a>{% if movie.year '
        "%} ({{ movie.year }}){% endif %}{% if movie.reason "
        "%}<br><small>{{ movie.reason }}</small>{% endif "
        "%}</li>{% endfor %}</ul>{% endif %}\n"
        '<p style="color:#666;font-size:12px"><a href="{{ '
        'preferences_url }}">Notification settings</a>{% if '
        'unsubscribe_url %} | <a href="{{ unsubscribe_url '
        '}}">Unsubscribe</a>{% endif %}</p>\n'
        "</body>\n"
        "</html>\n",
    },
    "email_recommendation": {
        "name": "Recommendation alert (email)",
        "subject": "We think you will like {{ movie.title }}",
        "text_content": "Hello {{ user.username }},\n"
        "\n"
        "{{ movie.title }}{% if movie.year %} ({{ movie.year "
        "}}){% endif %}{% if movie.reason %}: {{ "
        "movie.reason }}{% endif %}\n"
        "{{ movie.url }}\n"
        "\n"
        "--\n"
        "Change what {{ site_name }} sends you: {{ "
        "preferences_url }}\n"
        "{% if unsubscribe_url %}Stop these emails: {{ "
        "unsubscribe_url }}\n"
        "{% endif %}",
        "html_content": "<!doctype html>\n"
        '<html lang="en">\n'
        '<body style="font-family: sans-serif; line-height: '
        '1.5;">\n'
        "<p>Hello {{ user.username }},</p>\n"
        '<p><a href="{{ movie.url }}">{{ movie.title '
        "}}</a>{% if movie.year %} ({{ movie.year }}){% "
        "endif %}</p>\n"
        "{% if movie.reason %}<p>{{ movie.reason }}</p>{% "
        "endif %}\n"
        '<p style="color:#666;font-size:12px"><a href="{{ '
        'preferences_url }}">Notification settings</a>{% if '
        'unsubscribe_url %} | <a href="{{ unsubscribe_url '
        '}}">Unsubscribe</a>{% endif %}</p>\n'
        "</body>\n"
        "</html>\n",
    },
    "email_new_release": {
        "name": "New release alert (email)",
        "subject": "Out now: {{ movie.title }}",
        "text_content": "Hello {{ user.username }},\n"
        "\n"
        "{{ movie.title }} is out{% if movie.reason %} ({{ "
        "movie.reason }}){% endif %}.\n"
        "{{ movie.url }}\n"
        "\n"
        "--\n"
        "Change what {{ site_name }} sends you: {{ "
        "preferences_url }}\n"
        "{% if unsubscribe_url %}Stop these emails: {{ "
        "unsubscribe_url }}\n"
        "{% endif %}",
        "html_content": "<!doctype html>\n"
        '<html lang="en">\n'
        '<body style="font-family: sans-serif; line-height: '
        '1.5;">\n'
        "<p>Hello {{ user.username }},</p>\n"
        '<p><a href="{{ movie.url }}">{{ movie.title }}</a> is '
        "out{% if movie.reason %} ({{ movie.reason }}){% endif "
        "%}.</p>\n"
        '<p style="color:#666;font-size:12px"><a href="{{ '
        'preferences_url }}">Notification settings</a>{% if '
        'unsubscribe_url %} | <a href="{{ unsubscribe_url '
        '}}">Unsubscribe</a>{% endif %}</p>\n'
        "</body>\n"
        "</html>\n",
    },
    "email_trending": {
        "name": "Trending alert (email)",
        "subject": "Trending on {{ site_name }}: {{ movie.title }}",
        "text_content": "Hello {{ user.username }},\n"
        "\n"
        "{{ movie.title }} is what everyone is watching today.\n"
        "{{ movie.url }}\n"
        "\n"
        "--\n"
        "Change what {{ site_name }} sends you: {{ preferences_url "
        "}}\n"
        "{% if unsubscribe_url %}Stop these emails: {{ "
        "unsubscribe_url }}\n"
        "{% endif %}",
        "html_content": "<!doctype html>\n"
        '<html lang="en">\n'
        '<body style="font-family: sans-serif; line-height: '
        '1.5;">\n'
        "<p>Hello {{ user.username }},</p>\n"
        '<p><a href="{{ movie.url }}">{{ movie.title }}</a> is '
        "what everyone is watching today.</p>\n"
        '<p style="color:#666;font-size:12px"><a href="{{ '
        'preferences_url }}">Notification settings</a>{% if '
        'unsubscribe_url %} | <a href="{{ unsubscribe_url '
        '}}">Unsubscribe</a>{% endif %}</p>\n'
        "</body>\n"
        "</html>\n",
    },
    "push_recommendation": {
        "name": "Recommendation alert (push)",
        "subject": "Picked for you: {{ movie.title }}",
        "text_content": "{% if movie.reason %}{{ movie.reason }}{% else %}We "
        "think you will like it.{% endif %}",
        "html_content": "",
    },
    "push_new_release": {
        "name": "New release alert (push)",
        "subject": "Out now: {{ movie.title }}",
        "text_content": "{% if movie.reason %}{{ movie.reason }}{% else %}Just "
        "released.{% endif %}",
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
        "text_content": "{% if recommendations %}{{ recommendations.0.title "
        "}}{% if recommendations|length > 1 %} and {{ "
        "recommendations|length|add:-1 }} more{% endif %}{% "
        "else %}New releases and what is trending{% endif %}.",
        "html_content": "",
    },
}


def templates_create(apps, schema_editor):
    NotificationTemplate = apps.get_model("notifications", "NotificationTemplate")
    for template_type, fields in TEMPLATES.items():
        NotificationTemplate.objects.get_or_create(
            name=fields["name"],
            defaults={
                "template_type": template_type,
                "subject": fields["subject"],
                "text_content": fields["text_content"],
                "html_content": fields["html_content"],
                "is_active": True,
            },
        )


def templates_remove(apps, schema_editor):
    NotificationTemplate = apps.get_model("notifications", "NotificationTemplate")
    NotificationTemplate.objects.filter(name__in=[f["name"] for f in TEMPLATES.values()]).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_default_preferences")]

    operations = [migrations.RunPython(templates_create, templates_remove)]
