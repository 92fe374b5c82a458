"""Other fact-checkers' ClaimReviews in: three shapes, each bad review its own error."""

import json

import pytest
from django.core.management import call_command

from annotations.memory import external
from annotations.models import ExternalFactCheck

REVIEW = {
    "@context": "https://schema.org",
    "@type": "ClaimReview",
    "url": "https://checkers.example.org/flu-vaccine",
    "claimReviewed": "The flu vaccine gives you the flu.",
    "datePublished": "2026-03-03",
    "inLanguage": "en",
    "author": {"@type": "Organization", "name": "Other Checkers"},
    "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "A blogger"}},
    "reviewRating": {"@type": "Rating", "alternateName": "False"},
}


def parsed(data: bytes, name: str = ""):
    items = list(external.parse(data, name=name))
    return (
        [i for i in items if isinstance(i, external.ExternalRecord)],
        [i for i in items if isinstance(i, external.ExternalError)],
    )


def test_json_ld_in_an_html_page():
    page = (
        "<html><head><script type='application/ld+json'>"
        + json.dumps({"@graph": [{"@type": "WebPage"}, REVIEW]})
        + "</script><script type='application/ld+json'>{broken</script></head></html>"
    )
    records, errors = parsed(page.encode())
    assert [(r.claim_text, r.rating_text, r.publisher, r.claimant) for r in records] == [
        ("The flu vaccine gives you the flu.", "False", "Other Checkers", "A blogger")
    ]
    assert records[0].reviewed_at.isoformat().startswith("2026-03-03")
    assert [e.where for e in errors] == ["script 2"]


def test_a_file_of_claim_reviews_with_a_bad_one():
    bad = {**REVIEW, "url": "javascript:alert(1)"}
    records, errors = parsed(json.dumps([REVIEW, bad, {**REVIEW, "claimReviewed": ""}]).encode())
    assert len(records) == 1
    assert [e.where for e in errors] == ["review 2", "review 3"]
    assert "http(s) url" in errors[0].message


def test_json_lines_keep_going_past_a_broken_line():
    data = (json.dumps(REVIEW) + "\n{not json\n" + "[" * 5000 + "\n").encode()
    records, errors = parsed(data, name="reviews.jsonl")
    assert len(records) == 1
    assert [e.where for e in errors] == ["line 2", "line 3"]


def test_google_fact_check_tools_search_answer():
    answer = {
        "claims": [
            {
                "text": "5G masts spread the virus",
                "claimant": "Social media posts",
                "claimDate": "2026-01-02T00:00:00Z",
                "claimReview": [
                    {
                        "publisher": {"name": "Checkers ES", "site": "checkers.example.es"},
                        "url": "https://checkers.example.es/5g",
                        "title": "No, el 5G no",
                        "reviewDate": "2026-01-05T10:00:00Z",
                        "textualRating": "Falso",
                        "languageCode": "es",
                    }
                ],
            },
            {"text": "no reviews here"},
        ]
    }
    records, errors = parsed(json.dumps(answer).encode())
    assert [(r.publisher, r.rating_text, r.language) for r in records] == [
        ("Checkers ES", "Falso", "es")
    ]
    assert len(errors) == 1


@pytest.mark.parametrize("data", [b"", b"\xff\xfe\x00garbage", b"<html></html>", b"42"])
def test_nothing_readable_is_an_error_not_an_exception(data):
    records, errors = parsed(data)
    assert records == []
    assert errors


def test_the_command_stores_new_reviews_once(db, tmp_path, capsys):
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps([REVIEW]))
    call_command("import_factchecks", str(path))
    call_command("import_factchecks", str(path))
    assert ExternalFactCheck.objects.count() == 1
    out = capsys.readouterr().out
    assert "1 new fact-checks, 0 already held" in out
    assert "0 new fact-checks, 1 already held" in out
