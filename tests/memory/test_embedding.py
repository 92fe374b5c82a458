import numpy as np
import pytest

from annotations.memory.embedding import (
    E5_MODEL_ID,
    E5Embedder,
    LexicalEmbedder,
    ModelUnavailable,
    from_bytes,
    to_bytes,
)


def test_the_model_loads_from_its_pinned_package_with_the_checksum_checked(e5):
    assert e5.model_id == E5_MODEL_ID
    vectors = e5.embed(["Unemployment fell to 5.2% in March.", "El paro bajó al 5,2 % en marzo."])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-3)
    # A translation is close; an unrelated sentence is not as close.
    unrelated = e5.embed(["The national football team qualified for the World Cup."])[0]
    assert vectors[0] @ vectors[1] > vectors[0] @ unrelated + 0.1


def test_altered_weights_are_refused():
    with pytest.raises(ModelUnavailable, match="SHA-256"):
        E5Embedder(expected_sha256="0" * 64)


def test_text_the_engine_cannot_take_still_embeds(e5):
    vectors = e5.embed(["nul \x00 inside", "lone \ud800 surrogate", ""])
    assert vectors.shape == (3, 384)
    assert np.isfinite(vectors).all()


def test_lexical_fallback_matches_near_duplicates_in_one_language():
    lexical = LexicalEmbedder()
    a, b, c = lexical.embed(
        ["Crime in the city has doubled", "Crime in the city has doubled!", "Rain closed roads"]
    )
    assert a @ b > 0.95
    assert a @ c < 0.3


def test_vectors_round_trip_through_their_stored_form():
    vector = LexicalEmbedder().embed(["some text"])[0]
    assert np.allclose(from_bytes(to_bytes(vector)), vector, atol=1e-3)
