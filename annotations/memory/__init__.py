"""Claim memory: new claims and sentences matched against claims already checked.

`embedding` turns text into vectors (a multilingual model when its package is installed, a
lexical fallback otherwise), `index` finds the nearest stored vectors, `differences` spots the
numbers and negations that set two similar claims apart, and `matching` stores vectors and
matches (run by Celery tasks on the `models` queue, never in the web process).
"""
