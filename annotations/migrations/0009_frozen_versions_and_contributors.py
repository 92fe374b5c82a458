"""Versions for ETags, the claim's review version, contributors, proposed corrections.

A trigger makes PostgreSQL refuse a verdict approved by someone who wrote or changed its claim's
span, wording or sources (its creator, a source's author, a recorded contributor): the two-person
rule spans tables, so a check constraint cannot hold it. SQLite (the laptop default) gets none.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TWO_PERSON_SQL = """
CREATE OR REPLACE FUNCTION annotations_verdict_two_person() RETURNS trigger AS $$
BEGIN
    IF NEW.status = 'approved' AND NEW.reviewed_by_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'approved'
            OR OLD.reviewed_by_id IS DISTINCT FROM NEW.reviewed_by_id)
       AND (EXISTS (SELECT 1 FROM annotations_claim c
                    WHERE c.id = NEW.claim_id AND c.created_by_id = NEW.reviewed_by_id)
            OR EXISTS (SELECT 1 FROM annotations_source s
                       WHERE s.claim_id = NEW.claim_id AND s.created_by_id = NEW.reviewed_by_id)
            OR EXISTS (SELECT 1 FROM annotations_claimcontributor cc
                       WHERE cc.claim_id = NEW.claim_id AND cc.user_id = NEW.reviewed_by_id))
    THEN
        RAISE EXCEPTION 'verdict % approved by a contributor to claim %', NEW.id, NEW.claim_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS annotations_verdict_two_person ON annotations_verdict;
CREATE TRIGGER annotations_verdict_two_person
    BEFORE INSERT OR UPDATE ON annotations_verdict
    FOR EACH ROW EXECUTE FUNCTION annotations_verdict_two_person();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS annotations_verdict_two_person ON annotations_verdict;
DROP FUNCTION IF EXISTS annotations_verdict_two_person();
"""


def add_two_person_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TWO_PERSON_SQL, params=None)  # a literal % in it


def drop_two_person_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0008_triage_checkworthiness"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ClaimContributor",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.AddField(
            model_name="claim",
            name="review_version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="claim",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="source",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="verdict",
            name="changes",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="verdict",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddConstraint(
            model_name="verdict",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "rejected"), _negated=True),
                    models.Q(("reviewed_by", models.F("author")), _negated=True),
                    _connector="OR",
                ),
                name="verdict_not_self_rejected",
            ),
        ),
        migrations.AddField(
            model_name="claimcontributor",
            name="claim",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="contributors",
                to="annotations.claim",
            ),
        ),
        migrations.AddField(
            model_name="claimcontributor",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="claimcontributor",
            constraint=models.UniqueConstraint(
                fields=("claim", "user"), name="claim_contributor_once"
            ),
        ),
        migrations.RunPython(add_two_person_trigger, drop_two_person_trigger),
    ]
