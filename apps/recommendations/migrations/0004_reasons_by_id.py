"""Reason texts move to their own table; each row keeps a 4-byte id (dictionary encoding)."""

import django.db.models.deletion
from django.db import migrations, models

TEXTS_SQL = (
    "INSERT INTO recommendation_reasons (text) SELECT DISTINCT reason FROM user_recommendations"
)
IDS_SQL = (
    "UPDATE user_recommendations SET reason_new_id = "
    "(SELECT r.id FROM recommendation_reasons r WHERE r.text = user_recommendations.reason)"
)


def texts_to_ids(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(TEXTS_SQL)
        cursor.execute(IDS_SQL)


def ids_to_texts(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "UPDATE user_recommendations SET reason = (SELECT r.text FROM recommendation_reasons r"
            " WHERE r.id = user_recommendations.reason_new_id)"
        )


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0003_experiments_impressions")]

    operations = [
        migrations.CreateModel(
            name="RecommendationReason",
            fields=[
                ("id", models.AutoField(primary_key=True, serialize=False)),
                ("text", models.CharField(max_length=200, unique=True)),
            ],
            options={"db_table": "recommendation_reasons"},
        ),
        migrations.AddField(
            model_name="userrecommendation",
            name="reason_new",
            field=models.ForeignKey(
                null=True,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="recommendations.recommendationreason",
            ),
        ),
        migrations.RunPython(texts_to_ids, ids_to_texts),
        migrations.RemoveField(model_name="userrecommendation", name="reason"),
        migrations.RenameField(
            model_name="userrecommendation", old_name="reason_new", new_name="reason"
        ),
        migrations.AlterField(
            model_name="userrecommendation",
            name="reason",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="recommendations.recommendationreason",
            ),
        ),
    ]
