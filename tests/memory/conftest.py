"""Fixtures of the claim-memory tests."""

import pytest

from annotations.memory.embedding import LexicalEmbedder, get_embedder
from annotations.memory.index import forget_indexes


@pytest.fixture(autouse=True)
def fresh_indexes():
    # Each process caches its index; the test database is flushed under it between tests.
    forget_indexes()
    yield
    forget_indexes()


@pytest.fixture(scope="session")
def e5():
    return get_embedder("e5")


@pytest.fixture
def lexical():
    return LexicalEmbedder()
