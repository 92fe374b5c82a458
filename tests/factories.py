"""factory_boy factories: the test data every suite builds on."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from annotations import models, search
from annotations.services import build_sentences

SAMPLE_BODY = (
    "Officials said the plan would cut emissions by 40 percent by 2030.\n"
    "Critics called it unrealistic. The minister disagreed.\n"
    "In December, Australia became the first nation to ban children under 16 from such platforms."
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))
        if create:
            self.save()


class ArticleFactory(factory.django.DjangoModelFactory):
    """An article with its sentences, as the import stores it."""

    class Meta:
        model = models.Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Article {n}")
    body = factory.Sequence(lambda n: f"{SAMPLE_BODY}\nArticle number {n} ends here.")
    url = factory.Sequence(lambda n: f"https://news.example.org/{n}")
    publisher = "Example News"
    language = "en"
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def with_sentences(self, create, extracted, **kwargs):
        if create and extracted is not False:
            models.Sentence.objects.bulk_create(build_sentences(self))

    @factory.post_generation
    def with_search_document(self, create, extracted, **kwargs):
        # What the worker builds after the commit (annotations.search).
        if create and extracted is not False:
            search.index_articles(models.Article.objects.filter(pk=self.pk))


def default_rating(slug: str = "false") -> models.Rating:
    return models.Rating.objects.get(scale__is_default=True, slug=slug)


class ClaimFactory(factory.django.DjangoModelFactory):
    """A claim over the article's first sentence."""

    class Meta:
        model = models.Claim
        skip_postgeneration_save = True

    article = factory.SubFactory(ArticleFactory)
    created_by = factory.SubFactory(UserFactory, roles=["Reviewer"])
    start = 0
    end = factory.LazyAttribute(lambda c: c.article.body.index("\n"))
    quote_exact = factory.LazyAttribute(lambda c: c.article.body[c.start : c.end])
    quote_suffix = factory.LazyAttribute(lambda c: c.article.body[c.end : c.end + 32])
    claimant = "Officials"

    @factory.post_generation
    def link_sentences(self, create, extracted, **kwargs):
        if create:
            self.sentences.set(
                self.article.sentences.filter(start__lt=self.end, end__gt=self.start)
            )


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Source

    claim = factory.SubFactory(ClaimFactory)
    url = factory.Sequence(lambda n: f"https://evidence.example.org/report/{n}")
    title = "Official emissions report"
    quote = "Emissions are projected to fall by 12 percent by 2030."
    stance = models.Source.Stance.REFUTES
    created_by = factory.SelfAttribute("claim.created_by")


class VerdictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Verdict

    claim = factory.SubFactory(ClaimFactory)
    rating = factory.LazyFunction(default_rating)
    explanation = "The official projections show a 12 percent cut, not 40 percent."
    author = factory.SelfAttribute("claim.created_by")
    status = models.Verdict.Status.SUBMITTED


def published_claim(**claim_kwargs) -> models.Claim:
    """A claim with a source and an approved verdict: what the public export shows."""
    claim = ClaimFactory(**claim_kwargs)
    SourceFactory(claim=claim)
    editor = UserFactory(roles=["Editor"])
    now = timezone.now()
    verdict = VerdictFactory(
        claim=claim, status=models.Verdict.Status.APPROVED, reviewed_by=editor, reviewed_at=now
    )
    claim.status = models.Claim.Status.PUBLISHED
    claim.published_verdict = verdict
    claim.published_at = now
    claim.save()
    return claim
