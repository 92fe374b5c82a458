"""JSON built by the database, as text, on PostgreSQL and SQLite alike: one aggregate column in
place of a query per parent (the reviewer's page, the caller's roles)."""

from django.db.models import Aggregate, QuerySet, Subquery, TextField


class JSONArrayAgg(Aggregate):
    """`[value, ...]` over the group, as JSON text (order not kept)."""

    function = "JSON_AGG"
    template = "CAST(%(function)s(%(expressions)s) AS TEXT)"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra)


def json_over(queryset: QuerySet, group: str, aggregate: Aggregate) -> Subquery:
    """`aggregate` over the rows of `queryset` (filtered on an OuterRef), grouped by `group`:
    a column of the outer query, NULL where there are no rows."""
    return Subquery(
        queryset.order_by().values(group).annotate(json=aggregate).values("json"),
        output_field=TextField(),
    )
