"""Demo data for `make run`: one user per role and the sample article."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from annotations import roles
from annotations.services import create_article

DEMO_ARTICLE = Path(__file__).resolve().parents[2] / "demo_data" / "spain-probe-article.txt"
DEMO_USERS = [
    # username, password, role, staff (the admin is for editors and moderators)
    ("reviewer", "reviewer-demo-pass", roles.REVIEWER, False),
    ("editor", "editor-demo-pass", roles.EDITOR, True),
    ("moderator", "moderator-demo-pass", roles.MODERATOR, True),
]


class Command(BaseCommand):
    help = "Create demo users (reviewer, editor, moderator) and the sample article. Idempotent."

    def handle(self, *args, **options) -> None:
        User = get_user_model()
        for username, password, role, staff in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.set_password(password)
            user.is_staff = staff
            user.save()
            user.groups.add(Group.objects.get(name=role))
            self.stdout.write(f"  {role:<10} login: {username} / {password}")
        admin_user, _ = User.objects.get_or_create(username="admin")
        admin_user.is_staff = admin_user.is_superuser = True
        admin_user.set_password("admin-demo-pass")
        admin_user.save()
        self.stdout.write("  Admin      login: admin / admin-demo-pass")

        text = DEMO_ARTICLE.read_text(encoding="utf-8")
        # The headline stays in the body: it is the article's first sentence, and often a claim.
        article, created = create_article(
            title=text.partition("\n")[0],
            body=text,
            publisher="Demo Wire",
            language="en",
            metadata={"demo": True},
        )
        state = "created" if created else "already there"
        self.stdout.write(
            f"  Sample article #{article.pk} ({state}): {article.sentences.count()} sentences"
        )
