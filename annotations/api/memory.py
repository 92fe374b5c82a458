"""Shapes of the claim-memory endpoints (`claims/{id}/matches/`, `articles/{id}/matches/`,
`claims/{id}/same-as/`); the actions live on the claim and article viewsets."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from annotations import access
from annotations.models import Claim, ExternalFactCheck


class MatchSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["claim", "external"])
    claim = serializers.IntegerField(allow_null=True, help_text="Our claim's id.")
    external = serializers.IntegerField(allow_null=True, help_text="An external fact-check's id.")
    score = serializers.FloatField(help_text="Cosine similarity under `model`.")
    text = serializers.CharField()
    rating = serializers.CharField(allow_null=True, help_text="Published rating, if any.")
    status = serializers.CharField()
    date = serializers.DateTimeField(allow_null=True)
    publisher = serializers.CharField(allow_null=True)
    url = serializers.CharField()
    differences = serializers.DictField(
        help_text='Numbers and negation that differ: {"numbers": {"this", "other"}, '
        '"negation": {"this", "other"}}.'
    )
    same_claim = serializers.BooleanField(
        help_text="Above the calibrated threshold with nothing differing: likely the same claim."
    )


class MatchStatusSerializer(serializers.Serializer):
    model = serializers.CharField(allow_null=True, help_text="The model that matched, or null.")
    semantic = serializers.BooleanField(
        allow_null=True, help_text="False: the lexical fallback matched (same language only)."
    )
    threshold = serializers.FloatField(allow_null=True)
    state = serializers.ChoiceField(
        choices=["matched", "pending"], help_text="`pending`: the models worker has not run yet."
    )


class ClaimMatchesSerializer(MatchStatusSerializer):
    matches = MatchSerializer(many=True)


class SentenceMatchesSerializer(serializers.Serializer):
    sentence = serializers.IntegerField()
    position = serializers.IntegerField()
    matches = MatchSerializer(many=True)


class ArticleMatchesSerializer(MatchStatusSerializer):
    sentences = SentenceMatchesSerializer(many=True)


class VisibleToRequester(serializers.PrimaryKeyRelatedField):
    """An id among the rows the requesting user may see: the access policy's queryset for the
    model (`access.visible_to`), so an id they may not see is refused as one never used."""

    def get_queryset(self):
        return access.visible_to(self.context["request"].user, self.queryset.model)


class SameAsSerializer(serializers.Serializer):
    claim = VisibleToRequester(queryset=Claim.objects.all(), required=False, allow_null=True)
    external = VisibleToRequester(
        queryset=ExternalFactCheck.objects.all(), required=False, allow_null=True
    )

    def validate(self, data):
        if data.get("claim") is None and data.get("external") is None:
            raise serializers.ValidationError(
                _("Give the earlier `claim` or `external` fact-check.")
            )
        return data
