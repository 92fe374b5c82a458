"""Verified claims out: the feed's records, the file formats, and the export job runner.

`records` turns `published_claims()` into plain dicts in batches (one query for the claims and two
per batch for their sources and corrections), `formats` renders them as JSON Lines, CSV,
schema.org ClaimReview or W3C Web Annotations, `pgformats` has PostgreSQL write the same lines
from the same rows (what an export job runs on PostgreSQL), and `run` writes a job's file as it
streams.
"""
