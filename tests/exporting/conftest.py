"""Fixtures for the export tests: published claims, and a JSON-LD loader that stays offline."""

import pytest

from tests.factories import published_claim

# The contexts our documents name, reduced to what expansion needs. pyld must never fetch
# them: the test machines have no network, and a test must not depend on schema.org's uptime.
LOCAL_CONTEXTS = {
    "https://schema.org": {"@context": {"@vocab": "https://schema.org/"}},
    "http://www.w3.org/ns/anno.jsonld": {
        "@context": {
            "oa": "http://www.w3.org/ns/oa#",
            "as": "https://www.w3.org/ns/activitystreams#",
            "dcterms": "http://purl.org/dc/terms/",
            "id": "@id",
            "type": "@type",
            "Annotation": "oa:Annotation",
            "TextualBody": "oa:TextualBody",
            "SpecificResource": "oa:SpecificResource",
            "TextQuoteSelector": "oa:TextQuoteSelector",
            "TextPositionSelector": "oa:TextPositionSelector",
            "AnnotationCollection": "as:OrderedCollection",
            "AnnotationPage": "as:OrderedCollectionPage",
            "Organization": "http://xmlns.com/foaf/0.1/Organization",
            "body": {"@id": "oa:hasBody", "@type": "@id"},
            "target": {"@id": "oa:hasTarget", "@type": "@id"},
            "source": {"@id": "oa:hasSource", "@type": "@id"},
            "selector": {"@id": "oa:hasSelector", "@type": "@id"},
            "motivation": {"@id": "oa:motivatedBy", "@type": "@vocab"},
            "purpose": {"@id": "oa:hasPurpose", "@type": "@vocab"},
            "assessing": "oa:assessing",
            "tagging": "oa:tagging",
            "classifying": "oa:classifying",
            "exact": "oa:exact",
            "prefix": "oa:prefix",
            "suffix": "oa:suffix",
            "start": "oa:start",
            "end": "oa:end",
            "value": "rdf:value",
            "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
            "format": "dcterms:format",
            "language": "dcterms:language",
            "created": "dcterms:created",
            "modified": "dcterms:modified",
            "creator": {"@id": "dcterms:creator", "@type": "@id"},
            "canonical": {"@id": "oa:canonical", "@type": "@id"},
            "name": "http://xmlns.com/foaf/0.1/name",
            "homepage": {"@id": "http://xmlns.com/foaf/0.1/homepage", "@type": "@id"},
            "label": "http://www.w3.org/2000/01/rdf-schema#label",
            "first": {"@id": "as:first", "@type": "@id"},
            "items": {"@id": "as:items", "@type": "@id", "@container": "@list"},
        }
    },
}


def offline_loader(url, options=None):
    """A pyld document loader that knows our two contexts and refuses everything else."""
    key = url.rstrip("/")
    if key not in LOCAL_CONTEXTS:
        raise AssertionError(f"pyld tried to fetch {url}")
    return {"contextUrl": None, "documentUrl": url, "document": LOCAL_CONTEXTS[key]}


@pytest.fixture
def expand():
    """`expand(document)`: pyld's JSON-LD expansion with the offline loader."""
    from pyld import jsonld

    def _expand(document):
        return jsonld.expand(document, {"documentLoader": offline_loader})

    return _expand


@pytest.fixture
def claims(db):
    """Three published claims."""
    return [published_claim() for _ in range(3)]
