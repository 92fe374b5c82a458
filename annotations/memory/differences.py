"""What sets two similar claims apart: numbers and negations, found by simple rules.

Embeddings score "unemployment fell to 5%" and "unemployment fell to 7%" as near-identical, so
a match is shown with the numbers and negations that differ; the reviewer decides.
"""

from __future__ import annotations

import re
import unicodedata

# Written-out cardinals that claims use often (English and Spanish); "one"/"una" are left out,
# being articles far more often than numbers ("one of the", "una vivienda").
_NUMBER_WORDS = {
    "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "cero": 0, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9, "diez": 10, "once": 11, "doce": 12, "quince": 15, "veinte": 20, "treinta": 30,
    "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80, "noventa": 90,
    "cien": 100, "ciento": 100,
}  # fmt: skip
# Words that multiply the number before them ("three hundred thousand", "85 millones").
_MULTIPLIERS = {
    "hundred": 100, "thousand": 1e3, "k": 1e3, "mil": 1e3, "million": 1e6, "millon": 1e6,
    "millones": 1e6, "billion": 1e9,
}  # fmt: skip
_DECIMAL_WORDS = {"point", "coma"}
_JOINERS = {"and", "y"}
_NEGATIONS = {
    "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "cannot", "without",
    "nunca", "jamas", "ningun", "ninguno", "ninguna", "nadie", "nada", "tampoco", "ni", "sin",
}  # fmt: skip
_TOKEN = re.compile(r"\d[\d.,]*\d|\d|[^\W\d_]+(?:'t)?", re.UNICODE)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _parse_digits(token: str) -> float | None:
    token = re.sub(r"\s", "", token)
    if "," in token and "." in token:  # 1.234,5 (Spanish) or 1,234.5 (English)
        decimal = "," if token.rfind(",") > token.rfind(".") else "."
        token = token.replace("." if decimal == "," else ",", "").replace(decimal, ".")
    elif "," in token:
        head, _, tail = token.rpartition(",")
        token = token.replace(",", "") if len(tail) == 3 else token.replace(",", ".")
    elif token.count(".") >= 1:
        head, _, tail = token.rpartition(".")
        if len(tail) == 3 and head:  # 300.000 is three hundred thousand in Spanish
            token = token.replace(".", "")
    try:
        return float(token)
    except ValueError:
        return None


def numbers(text: str) -> list[float]:
    """The numbers a claim states, in order: digits in either locale ("5.2", "5,2",
    "300.000", "300,000"), written-out cardinals ("twenty-two", "treinta y cinco", "five
    point two") and a following multiplier ("85 millones", "300k")."""
    values: list[float] = []
    in_words = False  # the last value is being built from words
    decimal_next = False
    after_number = False
    last = ""
    for token in _TOKEN.findall(_fold(text).replace("%", " ")):
        after_por, last = last == "por", token
        if after_por and token in ("ciento", "cien"):  # "por ciento" is per cent
            in_words = after_number = decimal_next = False
            continue
        if token[0].isdigit():
            value = _parse_digits(token)
            if value is not None:
                values.append(value)
            in_words, after_number = False, value is not None
        elif token in _MULTIPLIERS:
            if after_number and values:
                values[-1] *= _MULTIPLIERS[token]
            elif token != "k":  # noqa: S105 (a word, not a password)
                values.append(_MULTIPLIERS[token])
            in_words = after_number = True
        elif token in _NUMBER_WORDS:
            value = float(_NUMBER_WORDS[token])
            if decimal_next and values:
                values[-1] += value / 10 ** len(str(int(value)))
            elif in_words and values and value < values[-1] % 100 + (values[-1] % 100 == 0) * 100:
                values[-1] += value  # "twenty two", "ciento diez"
            else:
                values.append(value)
            in_words = after_number = True
            decimal_next = False
        elif token in _DECIMAL_WORDS and after_number:
            decimal_next = True
        elif token in _JOINERS and in_words:
            continue
        else:
            in_words = after_number = decimal_next = False
    return [round(value, 6) for value in values]


def negated(text: str) -> bool:
    """Whether the claim is worded as a negation (an odd number of negating words)."""
    words = _TOKEN.findall(_fold(text))
    count = sum(1 for word in words if word in _NEGATIONS or word.endswith("n't"))
    return count % 2 == 1


def differences(text: str, other: str) -> dict[str, object]:
    """The numbers and negation that differ between two claims; empty when none do."""
    found: dict[str, object] = {}
    mine, theirs = sorted(set(numbers(text))), sorted(set(numbers(other)))
    if mine and theirs and mine != theirs:
        found["numbers"] = {"this": mine, "other": theirs}
    if negated(text) != negated(other):
        found["negation"] = {"this": negated(text), "other": negated(other)}
    return found
