"""The review API's public shapes. Output serializers translate models at the boundary; input
serializers check the shape of a request. Rules (who may, what is allowed) live in services.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from annotations import roles
from annotations.api.common import etag_for
from annotations.defaults import translated_default
from annotations.models import (
    Article,
    ArticleRevision,
    CheckworthinessModel,
    Claim,
    Comment,
    Rating,
    RatingScale,
    Sentence,
    Source,
    Verdict,
)

User = get_user_model()

# Postgres' `integer` range: a larger id can name no row, and asking for it must be a 400.
MAX_ID = 2**31 - 1
MAX_TEXT = 20_000


class ErrorSerializer(serializers.Serializer):
    """Every 4xx: `{"detail": "..."}`, or field names mapped to lists of messages."""

    detail = serializers.CharField()


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")


class UserRefSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "name"]

    def get_name(self, user) -> str:
        return user.get_full_name()


class SentenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sentence
        fields = [
            "id",
            "position",
            "start",
            "end",
            "text",
            "paragraph",
            "checkworthiness",
            "claim_type",
        ]


class RankedSentenceSerializer(serializers.ModelSerializer):
    """A sentence in the ranked list across articles, with what a reviewer needs to open it."""

    article_title = serializers.CharField(source="article.title", read_only=True)
    language = serializers.CharField(source="article.language", read_only=True)

    class Meta:
        model = Sentence
        fields = [
            "id",
            "article",
            "article_title",
            "language",
            "position",
            "start",
            "end",
            "text",
            "checkworthiness",
            "claim_type",
        ]


class CheckworthinessModelSerializer(serializers.ModelSerializer):
    """A trained check-worthiness model's figures (not its weights)."""

    class Meta:
        model = CheckworthinessModel
        fields = [
            "id",
            "trained_at",
            "vector_model_id",
            "training_articles",
            "training_sentences",
            "training_positives",
            "holdout_articles",
            "holdout_precision_at_5",
            "heuristic_precision_at_5",
            "is_active",
            "note",
        ]


class DefaultScaleWording:
    """The default scale's words (stored in English) in the reader's language; the slugs, and
    ClaimReview's alternateName, stay as stored."""

    translated_fields: tuple[str, ...] = ("label", "description")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in self.translated_fields:
            if isinstance(data.get(name), str):
                data[name] = translated_default(data[name])
        return data


class RatingRefSerializer(DefaultScaleWording, serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = ["slug", "label", "value"]


class VerdictBriefSerializer(serializers.ModelSerializer):
    rating = RatingRefSerializer()
    author = UserRefSerializer()

    class Meta:
        model = Verdict
        fields = ["id", "status", "rating", "author", "created_at"]


class QuoteSelectorSerializer(serializers.Serializer):
    """W3C TextQuoteSelector: the quoted text and up to 32 characters either side."""

    type = serializers.CharField(default="TextQuoteSelector")
    exact = serializers.CharField()
    prefix = serializers.CharField(allow_blank=True)
    suffix = serializers.CharField(allow_blank=True)


class ClaimSerializer(serializers.ModelSerializer):
    """A claim with its span, covered sentence ids, quote selector and latest verdict."""

    quote = serializers.SerializerMethodField()
    sentences = serializers.SerializerMethodField()
    created_by = UserRefSerializer()
    assignee = UserRefSerializer(allow_null=True)
    latest_verdict = serializers.SerializerMethodField()
    published_verdict = VerdictBriefSerializer(allow_null=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "article",
            "start",
            "end",
            "status",
            "quote",
            "sentences",
            "claimant",
            "text",
            "created_by",
            "assignee",
            "latest_verdict",
            "published_verdict",
            "published_at",
            "is_hidden",
            "same_as",
            "same_as_external",
            "anchor_status",
            "anchor_revision",
            "anchor_previous",
            "text_changed_at",
            "created_at",
            "updated_at",
        ]

    anchor_revision = serializers.SerializerMethodField(
        help_text="The revision number `start`/`end` are on; null: the article's only text."
    )

    def get_anchor_revision(self, claim: Claim) -> int | None:
        if claim.anchor_revision_id is None:
            return None
        # Annotated by selectors.claims_for_display, so a list costs no query per claim.
        number = getattr(claim, "anchor_revision_number", None)
        if number is not None:
            return number
        return claim.anchor_revision.number if claim.anchor_revision else None

    @extend_schema_field(QuoteSelectorSerializer)
    def get_quote(self, claim: Claim) -> dict:
        return {
            "type": "TextQuoteSelector",
            "exact": claim.quote_exact,
            "prefix": claim.quote_prefix,
            "suffix": claim.quote_suffix,
        }

    def get_sentences(self, claim: Claim) -> list[int]:
        return sorted(s.pk for s in claim.sentences.all())

    @extend_schema_field(VerdictBriefSerializer(allow_null=True))
    def get_latest_verdict(self, claim: Claim) -> dict | None:
        # From the prefetched verdicts (ordered oldest first), not one query per claim.
        verdicts = list(claim.verdicts.all())
        return VerdictBriefSerializer(verdicts[-1]).data if verdicts else None


class ClaimCreateSerializer(serializers.Serializer):
    """Either `start` and `end`, or `sentences`: the server computes the rest."""

    article = serializers.PrimaryKeyRelatedField(queryset=Article.objects.only("pk"))
    start = serializers.IntegerField(
        required=False, help_text="Offset (code points) where the claim starts, inclusive."
    )
    end = serializers.IntegerField(
        required=False, help_text="Offset (code points) where the claim ends, exclusive."
    )
    sentences = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=1000,
        help_text="Ids of the sentences the claim spans (instead of start and end).",
    )
    claimant = serializers.CharField(required=False, allow_blank=True, max_length=255)
    text = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)


class ClaimUpdateSerializer(serializers.Serializer):
    """Any of these; a new span (offsets or sentences) re-computes sentences and quote."""

    start = serializers.IntegerField(required=False)
    end = serializers.IntegerField(required=False)
    sentences = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=1000,
    )
    claimant = serializers.CharField(required=False, allow_blank=True, max_length=255)
    text = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )


class ArticleListSerializer(serializers.ModelSerializer):
    assignee = UserRefSerializer(allow_null=True)
    claims_count = serializers.IntegerField(read_only=True)
    top_checkworthiness = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Its best sentence's score; null until scored."
    )

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "url",
            "publisher",
            "authors",
            "published_at",
            "language",
            "status",
            "assignee",
            "claims_count",
            "top_checkworthiness",
            "created_at",
            "updated_at",
        ]


class ArticleDetailSerializer(serializers.ModelSerializer):
    """The reviewer's page: the body, its sentences with offsets, and the visible claims."""

    assignee = UserRefSerializer(allow_null=True)
    sentences = SentenceSerializer(many=True)
    claims = ClaimSerializer(many=True, source="visible_claims")

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "url",
            "publisher",
            "authors",
            "published_at",
            "language",
            "status",
            "assignee",
            "body",
            "sentences",
            "claims",
            "created_at",
            "updated_at",
        ]


class AssignSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        allow_null=True,
        help_text="User id of a reviewer or editor; null to unassign.",
    )


class ArticleStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Article.Status.choices)


class SourceSerializer(serializers.ModelSerializer):
    created_by = UserRefSerializer(read_only=True)

    class Meta:
        model = Source
        fields = [
            "id",
            "claim",
            "url",
            "title",
            "publisher",
            "quote",
            "stance",
            "accessed_at",
            "created_by",
            "is_hidden",
            "created_at",
            "updated_at",
        ]


class SourceInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2048, help_text="http:// or https:// only.")
    title = serializers.CharField(required=False, allow_blank=True, max_length=500)
    publisher = serializers.CharField(required=False, allow_blank=True, max_length=255)
    quote = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    stance = serializers.ChoiceField(choices=Source.Stance.choices, required=False)
    accessed_at = serializers.DateTimeField(required=False, allow_null=True)


class CommentSerializer(serializers.ModelSerializer):
    author = UserRefSerializer(read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "claim", "author", "body", "is_hidden", "created_at", "updated_at"]


class CommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_TEXT)


class ProposedSourceSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2048, help_text="http:// or https:// only.")
    title = serializers.CharField(required=False, allow_blank=True, max_length=500)
    publisher = serializers.CharField(required=False, allow_blank=True, max_length=255)
    quote = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    stance = serializers.ChoiceField(choices=Source.Stance.choices, required=False)


class ProposedChangesSerializer(serializers.Serializer):
    """What a correction of a published claim changes, applied when an editor approves it."""

    claimant = serializers.CharField(required=False, allow_blank=True, max_length=255)
    text = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    start = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)
    end = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)
    add_sources = ProposedSourceSerializer(many=True, required=False)
    remove_sources = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        help_text="Ids of the claim's sources to remove.",
    )

    def to_internal_value(self, data):
        # A misspelt key must not turn a proposed correction into a plain verdict.
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    _("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)}
                )
        return super().to_internal_value(data)


class VerdictSerializer(serializers.ModelSerializer):
    rating = RatingRefSerializer()
    author = UserRefSerializer()
    reviewed_by = UserRefSerializer(allow_null=True)
    changes = ProposedChangesSerializer(
        help_text="Changes to the published claim this correction proposes ({} if none)."
    )
    etag = serializers.SerializerMethodField(
        help_text="The version the reader saw (verdict, claim span and wording, sources): send "
        "it in If-Match to approve or reject."
    )

    class Meta:
        model = Verdict
        fields = [
            "id",
            "claim",
            "rating",
            "explanation",
            "author",
            "status",
            "reviewed_by",
            "reviewed_at",
            "review_note",
            "changes",
            "etag",
            "created_at",
            "updated_at",
        ]

    def get_etag(self, verdict: Verdict) -> str:
        return etag_for(verdict)


def _default_scale_ratings():
    return Rating.objects.filter(scale__is_default=True)


class VerdictInputSerializer(serializers.Serializer):
    rating = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=_default_scale_ratings(),
        help_text="A rating slug of the default scale (see rating-scales/).",
    )
    explanation = serializers.CharField(max_length=MAX_TEXT)
    changes = ProposedChangesSerializer(
        required=False,
        help_text="Only on a published claim: its new wording, span or sources, applied when "
        "an editor approves this verdict with a correction note.",
    )


class VerdictUpdateSerializer(serializers.Serializer):
    rating = serializers.SlugRelatedField(
        slug_field="slug", queryset=_default_scale_ratings(), required=False
    )
    explanation = serializers.CharField(max_length=MAX_TEXT, required=False)
    changes = ProposedChangesSerializer(required=False)


class ApproveSerializer(serializers.Serializer):
    correction = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_TEXT,
        help_text="Required when the claim is already published: what changed and why.",
    )


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_TEXT, help_text="Why, for the author.")


class RatingSerializer(DefaultScaleWording, serializers.ModelSerializer):
    claim_review = serializers.SerializerMethodField()

    class Meta:
        model = Rating
        fields = ["slug", "label", "description", "position", "value", "claim_review"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_claim_review(self, rating: Rating) -> dict:
        """schema.org ClaimReview `reviewRating` for this rating."""
        scale = rating.scale
        return {
            "@type": "Rating",
            "ratingValue": rating.value,
            "bestRating": scale.best_rating,
            "worstRating": scale.worst_rating,
            "alternateName": rating.label,
        }


class RatingScaleSerializer(DefaultScaleWording, serializers.ModelSerializer):
    translated_fields = ("name", "description")
    ratings = RatingSerializer(many=True)

    class Meta:
        model = RatingScale
        fields = [
            "id",
            "slug",
            "name",
            "description",
            "best_rating",
            "worst_rating",
            "is_default",
            "ratings",
        ]


class WorkQueueSerializer(serializers.Serializer):
    assigned_articles = serializers.IntegerField(help_text="New or in-review articles of mine.")
    claims_awaiting_verdict = serializers.IntegerField(
        help_text="Draft or rejected claims I marked or was assigned (My work's list)."
    )
    my_open_claims = serializers.IntegerField(help_text="My draft or rejected claims.")
    assigned_claims = serializers.IntegerField(help_text="Unpublished claims assigned to me.")
    my_verdicts_awaiting_approval = serializers.IntegerField()
    my_verdicts_rejected = serializers.IntegerField()
    verdicts_to_review = serializers.IntegerField(help_text="Editors: others' submitted verdicts.")
    changed_claims = serializers.IntegerField(
        help_text="Claims whose text a new revision of their article changed, to re-review: "
        "mine and those assigned to me (editors: all)."
    )
    orphaned_claims = serializers.IntegerField(
        help_text="Claims whose text a new revision removed: mine and those assigned to me "
        "(editors: all)."
    )


class MeSerializer(serializers.Serializer):
    user = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    queue = WorkQueueSerializer()

    @extend_schema_field(UserRefSerializer)
    def get_user(self, data: dict) -> dict:
        user = data["user"]
        return {**UserRefSerializer(user).data, "email": user.email, "is_staff": user.is_staff}

    def get_roles(self, data: dict) -> list[str]:
        return sorted(roles.roles_of(data["user"]))


class ArticleRevisionSerializer(serializers.ModelSerializer):
    """One text of an article: its number, where it came from, and whether it is the current one."""

    created_by = UserRefSerializer(allow_null=True)
    is_current = serializers.SerializerMethodField()
    length = serializers.SerializerMethodField()

    class Meta:
        model = ArticleRevision
        fields = [
            "number",
            "source",
            "content_hash",
            "length",
            "is_current",
            "created_by",
            "created_at",
        ]

    def get_is_current(self, revision: ArticleRevision) -> bool:
        return revision.content_hash == revision.article.content_hash

    def get_length(self, revision: ArticleRevision) -> int:
        return len(revision.body)


class ArticleRevisionDetailSerializer(ArticleRevisionSerializer):
    sentences = SentenceSerializer(many=True, source="sentences_list")

    class Meta(ArticleRevisionSerializer.Meta):
        fields = [*ArticleRevisionSerializer.Meta.fields, "body", "sentences"]


class RevisionCreateSerializer(serializers.Serializer):
    body = serializers.CharField(
        trim_whitespace=False,
        # Under Django's 2.5 MB request limit, so a text too long is a 400 that says so.
        max_length=2_000_000,
        help_text="The article's new plain text (normalised as at import).",
    )
