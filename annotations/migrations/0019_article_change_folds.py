"""An `ArticleChange` row stands for `changes` statements: 1 as the triggers write it, or the sum
of the rows a compaction folded into it (annotations.article_changes). A database default, so
the triggers of 0017 stay as they are; adding a column with a constant default rewrites nothing
on PostgreSQL."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0018_translatable_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="articlechange",
            name="changes",
            field=models.IntegerField(
                db_default=1,
                help_text="statements noted: 1, or the sum of the rows folded into this one",
            ),
        ),
    ]
