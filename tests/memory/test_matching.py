"""Claims and sentences matched against earlier fact-checks, and what the API shows of it."""

import time

import pytest

from annotations.memory import matching
from annotations.models import ArticleRevision, ClaimMatch, ExternalFactCheck, SentenceEmbedding
from annotations.services.revisions import record_revision
from tests.factories import ArticleFactory, ClaimFactory, UserFactory, published_claim

EARLIER = "Unemployment fell to 5.2% in March, the lowest rate in a decade."
SPANISH = "El paro bajó al 5,2 % en marzo, la tasa más baja en una década."
CHANGED = "Unemployment fell to 6.8% in March, the lowest rate in a decade."


def article_with(*sentences: str, **fields):
    return ArticleFactory(body="\n".join(sentences), **fields)


def claim_on(article, sentence: str, **fields):
    start = article.body.index(sentence)
    return ClaimFactory(
        article=article, start=start, end=start + len(sentence), quote_exact=sentence, **fields
    )


@pytest.fixture
def earlier(db):
    """A published fact-check of the unemployment claim."""
    article = article_with(EARLIER, "The minister welcomed the figures.")
    start = 0
    return published_claim(
        article=article, start=start, end=len(EARLIER), quote_exact=EARLIER, text=""
    )


def test_a_translated_claim_finds_the_earlier_check_with_its_rating(db, e5, earlier, client_for):
    matching.embed_and_match_claims([earlier.pk], using=e5)
    article = article_with(SPANISH, "Los sindicatos piden prudencia.", language="es")
    new = claim_on(article, SPANISH)
    matching.embed_and_match_claims([new.pk], using=e5)

    reviewer = UserFactory(roles=["Reviewer"])
    data = client_for(reviewer).get(f"/api/v1/claims/{new.pk}/matches/").json()
    assert data["state"] == "matched"
    assert data["semantic"] is True
    best = data["matches"][0]
    assert best["claim"] == earlier.pk
    assert best["rating"] == earlier.published_verdict.rating.label
    assert best["url"].endswith(f"/claims/{earlier.pk}/")
    assert best["differences"] == {}
    assert best["same_claim"] is True
    assert best["score"] >= data["threshold"]


def test_a_changed_number_is_shown_with_its_difference(db, e5, earlier, client_for):
    matching.embed_and_match_claims([earlier.pk], using=e5)
    new = claim_on(article_with(CHANGED), CHANGED)
    matching.embed_and_match_claims([new.pk], using=e5)
    reviewer = UserFactory(roles=["Reviewer"])
    best = client_for(reviewer).get(f"/api/v1/claims/{new.pk}/matches/").json()["matches"][0]
    assert best["claim"] == earlier.pk
    assert best["differences"] == {"numbers": {"this": [6.8], "other": [5.2]}}
    assert best["same_claim"] is False


def test_sentences_of_a_new_article_that_repeat_a_check_are_listed(db, e5, earlier, client_for):
    matching.embed_and_match_claims([earlier.pk], using=e5)
    article = article_with("Rain closed three motorways in the north.", SPANISH, language="es")
    embedded = matching.embed_and_match_articles([article.pk], using=e5)
    assert embedded == 2
    reviewer = UserFactory(roles=["Reviewer"])
    data = client_for(reviewer).get(f"/api/v1/articles/{article.pk}/matches/").json()
    assert [entry["position"] for entry in data["sentences"]] == [1]
    assert data["sentences"][0]["matches"][0]["claim"] == earlier.pk


def test_an_articles_suggestions_come_from_its_current_revision_only(db, e5, earlier, client_for):
    matching.embed_and_match_claims([earlier.pk], using=e5)
    article = article_with("Rain closed three motorways in the north.", SPANISH, language="es")
    matching.embed_and_match_articles([article.pk], using=e5)
    assert ClaimMatch.objects.filter(sentence__article=article).exists()  # on revision 1
    new_text = "Rain closed three motorways in the north.\nThe roads reopened on Friday."
    record_revision(article=article, body=new_text, source=ArticleRevision.Source.API)
    api = client_for(UserFactory(roles=["Reviewer"]))

    # The new text is not embedded yet: nothing to suggest, and matching is still to run on it,
    # although the older revision's sentences have their embeddings and matches.
    waiting = api.get(f"/api/v1/articles/{article.pk}/matches/").json()
    assert (waiting["state"], waiting["model"], waiting["sentences"]) == ("pending", None, [])

    matching.embed_and_match_articles([article.pk], using=e5)
    done = api.get(f"/api/v1/articles/{article.pk}/matches/").json()
    assert (done["state"], done["model"], done["sentences"]) == ("matched", e5.model_id, [])
    current = set(article.sentences.values_list("pk", flat=True))
    assert SentenceEmbedding.objects.filter(sentence__in=current).count() == 2


def test_a_claim_on_the_same_article_is_not_a_match_for_its_own_sentences(db, e5, earlier):
    matching.embed_and_match_claims([earlier.pk], using=e5)
    matching.embed_and_match_articles([earlier.article_id], using=e5)
    assert not ClaimMatch.objects.filter(sentence__article=earlier.article).exists()


def test_hidden_earlier_claims_are_not_shown_to_reviewers(db, e5, earlier, client_for):
    matching.embed_and_match_claims([earlier.pk], using=e5)
    new = claim_on(article_with(SPANISH, language="es"), SPANISH)
    matching.embed_and_match_claims([new.pk], using=e5)
    earlier.is_hidden = True
    earlier.save()
    reviewer = UserFactory(roles=["Reviewer"])
    moderator = UserFactory(roles=["Moderator"])
    assert client_for(reviewer).get(f"/api/v1/claims/{new.pk}/matches/").json()["matches"] == []
    shown = client_for(moderator).get(f"/api/v1/claims/{new.pk}/matches/").json()["matches"]
    assert [m["claim"] for m in shown] == [earlier.pk]


def test_external_fact_checks_are_matched_like_ours(db, e5, client_for):
    check = ExternalFactCheck.objects.create(
        claim_text="The flu vaccine gives you the flu.",
        rating_text="False",
        publisher="Other Checkers",
        url="https://checkers.example.org/flu",
        language="en",
    )
    matching.embed_external([check.pk], using=e5)
    sentence = "La vacuna contra la gripe provoca la gripe."
    new = claim_on(article_with(sentence, language="es"), sentence)
    matching.embed_and_match_claims([new.pk], using=e5)
    reviewer = UserFactory(roles=["Reviewer"])
    best = client_for(reviewer).get(f"/api/v1/claims/{new.pk}/matches/").json()["matches"][0]
    assert best["kind"] == "external"
    assert best["external"] == check.pk
    assert best["rating"] == "False"
    assert best["publisher"] == "Other Checkers"
    assert best["url"] == check.url


def test_without_the_model_matching_is_lexical_and_says_so(db, lexical, earlier, client_for):
    matching.embed_and_match_claims([earlier.pk], using=lexical)
    new = claim_on(article_with(EARLIER + " Really."), EARLIER)
    matching.embed_and_match_claims([new.pk], using=lexical)
    reviewer = UserFactory(roles=["Reviewer"])
    data = client_for(reviewer).get(f"/api/v1/claims/{new.pk}/matches/").json()
    assert data["semantic"] is False
    assert data["model"] == "lexical-hash-v1"
    assert data["matches"][0]["claim"] == earlier.pk


def test_a_claim_not_yet_matched_is_pending(db, earlier, client_for):
    reviewer = UserFactory(roles=["Reviewer"])
    data = client_for(reviewer).get(f"/api/v1/claims/{earlier.pk}/matches/").json()
    assert data == {
        "model": None,
        "semantic": None,
        "threshold": None,
        "state": "pending",
        "matches": [],
    }


def test_matches_read_in_a_fixed_number_of_queries(
    db, lexical, earlier, client_for, django_assert_max_num_queries
):
    claims = [claim_on(article_with(EARLIER + f" Take {n}."), EARLIER) for n in range(6)]
    matching.embed_and_match_claims([earlier.pk] + [c.pk for c in claims], using=lexical)
    reviewer = UserFactory(roles=["Reviewer"])
    api = client_for(reviewer)
    with django_assert_max_num_queries(12):
        data = api.get(f"/api/v1/claims/{earlier.pk}/matches/").json()
    assert len(data["matches"]) == 6


@pytest.mark.worker
def test_a_new_claim_is_matched_by_the_worker(celery_worker, client_for, earlier, settings):
    settings.CLAIM_MATCHING_MODEL = "e5"  # `make test` runs the quick lexical model elsewhere
    matching.embed_and_match_claims([earlier.pk], using=matching.embedder())
    article = article_with(SPANISH, "Los sindicatos piden prudencia.", language="es")
    reviewer = UserFactory(roles=["Reviewer"])
    response = client_for(reviewer).post(
        "/api/v1/claims/", {"article": article.pk, "start": 0, "end": len(SPANISH)}, format="json"
    )
    assert response.status_code == 201, response.content
    claim_id = response.json()["id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if ClaimMatch.objects.filter(claim_id=claim_id, matched_claim=earlier).exists():
            break
        time.sleep(0.2)
    else:
        pytest.fail("the worker did not match the new claim within 60 s")
