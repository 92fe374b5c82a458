"""Writes with rules. Views, admin actions, commands and tasks call these; none repeats them.

One module per concept: `articles` (storing and assigning), `claims` (claims, comments, what
freezes a claim), `sources`, `verdicts` (submission, withdrawal, approval, rejection),
`corrections` (changes a verdict proposes to a published claim) and `imports` (import jobs).
Callers import from `annotations.services`.
"""

from .articles import (
    assign_article,
    build_sentences,
    create_article,
    follow_claims,
    set_article_status,
)
from .claims import (
    add_comment,
    can_edit_claim,
    create_claim,
    delete_claim,
    delete_comment,
    link_same_as,
    update_claim,
    update_comment,
)
from .imports import cancel_import, start_import
from .sources import add_source, delete_source, update_source
from .verdicts import (
    approve_verdict,
    reject_verdict,
    resubmit_verdict,
    submit_verdict,
    update_verdict,
    withdraw_verdict,
)

__all__ = [
    "add_comment",
    "add_source",
    "approve_verdict",
    "assign_article",
    "build_sentences",
    "can_edit_claim",
    "cancel_import",
    "create_article",
    "create_claim",
    "delete_claim",
    "delete_comment",
    "delete_source",
    "follow_claims",
    "link_same_as",
    "reject_verdict",
    "resubmit_verdict",
    "set_article_status",
    "start_import",
    "submit_verdict",
    "update_claim",
    "update_comment",
    "update_source",
    "update_verdict",
    "withdraw_verdict",
]
