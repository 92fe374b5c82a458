"""Check-worthiness of a sentence: a transparent heuristic in English and Spanish (pure Python).

`score_sentence(text, language)` gives a score from 0 to 1, a claim type and the features that
made the score. Cues that a sentence states something checkable and worth checking push it up
(numbers and percentages, comparisons and change verbs, attribution of a fact, named entities);
hedges, questions, first-person stories and very short sentences push it down. The score is a
logistic function of the weighted features, so each feature's share is its weight: a reviewer
can read why a sentence ranks where it does (`features`).

The weights were tuned by hand on the dev articles of `bench/data/checkworthiness.jsonl` and
measured on its test articles (`bench/checkworthiness_eval.py`; figures in the README). It is the
cold start of issue 17: a model learned from the desk's own claims is meant to replace it.
"""

import math
import re
from dataclasses import dataclass

CLAIM_TYPES = (
    "quantity",
    "comparison_or_change",
    "attribution",
    "prediction",
    "personal_experience",
    "other",
)

# A sentence scoring at or above this is called check-worthy (the F1 in the evaluation).
CHECKWORTHY_THRESHOLD = 0.5

# Each feature is 0..1 (counts are capped); the score is sigmoid(BIAS + sum(weight * value)).
BIAS = -1.6
WEIGHTS: dict[str, float] = {
    "number": 1.3,  # a quantity in digits (not a year, date or time)
    "number_word": 0.9,  # "half", "twice", "one in four", "millones", "siete de cada diez"
    "percent": 0.9,
    "money": 0.5,
    "comparison": 1.1,  # "more than", "rose", "the lowest", "frente a", "subió"
    "superlative": 0.6,  # "the largest", "record", "más alta", "récord"
    "attribution": 0.9,  # someone asserts it: "said", "claimed", "afirmó", "aseguró"
    "source": 0.7,  # data or a report named as the source: "according to", "figures", "según"
    "entities": 0.6,  # capitalised words inside the sentence (names, places, bodies)
    "prediction": -0.1,  # the future is checkable only as a forecast someone made
    "hedge": -1.6,  # "may", "perhaps", "quizá", "podría"
    "question": -2.5,
    "first_person": -1.3,  # "I", "my", "mi": a personal story
    "short": -1.4,  # fewer than six words
    "date_only": -0.4,  # the only numbers are dates, years, times or ages
}


@dataclass(frozen=True)
class Lexicon:
    number_words: frozenset[str]
    comparison: tuple[str, ...]
    superlative: tuple[str, ...]
    attribution: tuple[str, ...]
    source: tuple[str, ...]
    prediction: tuple[str, ...]
    hedge: tuple[str, ...]
    first_person: frozenset[str]
    months: frozenset[str]
    # Capitalised words that are not names: sentence-initial function words, days, months.
    not_entities: frozenset[str]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _phrases(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(",") if p.strip())


EN = Lexicon(
    number_words=_words(
        "two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty "
        "fifty sixty seventy eighty ninety hundred thousand million millions billion billions "
        "trillion half halved third quarter twice double doubled triple tripled dozen"
    ),
    comparison=_phrases(
        "more than, less than, fewer than, higher than, lower than, compared with, compared to, "
        "up from, down from, rose, rise, rises, risen, rising, fell, fall, falls, fallen, "
        "increase, increased, increases, decrease, decreased, grew, grow, grown, growth, "
        "declined, decline, dropped, drop, doubled, halved, tripled, outpacing, widened, "
        "narrowed, recovered, than in, than the, against a, above the, "
        "below the, fewer, slightly higher, slightly fewer"
    ),
    superlative=_phrases(
        "the largest, the lowest, the highest, the biggest, the fastest, the most, the least, "
        "the worst, the best, record, than ever, than any, ranks, ranked, last in"
    ),
    attribution=_phrases(
        "said, says, say, told, claimed, claims, claim, stated, states, argued, insisted, "
        "reported, wrote, warned, warns, estimates, estimated, found, concluded, "
        "blames, replied, accused, denied, denies"
    ),
    source=_phrases(
        "according to, figures, data, statistics, report, survey, study, review of, records, "
        "accounts, budget documents, official, agency, office, department"
    ),
    prediction=_phrases(
        "will, won't, 'll, expects, expected, expect, forecast, forecasts, projects, projected, "
        "plans to, going to, next year, next summer, next spring, by next, in the future, "
        "in twenty years, promised, assumes"
    ),
    hedge=_phrases(
        "may, might, could, perhaps, maybe, possibly, probably, likely, unlikely, seems, "
        "appears to, i think, hard to know, unclear, suggest, suggests, some say, some think, "
        "honestly"
    ),
    first_person=_words("i i've i'm i'd my me mine myself"),
    months=_words(
        "january february march april may june july august september october november december"
    ),
    not_entities=_words(
        "the a an i it this that these those he she they we you his her their our its "
        "monday tuesday wednesday thursday friday saturday sunday"
    ),
)

ES = Lexicon(
    number_words=_words(
        "dos tres cuatro cinco seis siete ocho nueve diez once doce quince veinte treinta "
        "cuarenta cincuenta cien ciento mil millón millones billón mitad tercio doble triple "
        "duplicado duplicó triplicado decena docena"
    ),
    comparison=_phrases(
        "más que, menos que, más de, menos de, frente a, respecto a, en comparación, "
        "superior, inferior, subió, subido, sube, suben, bajó, bajado, baja, bajan, "
        "aumentó, aumentado, aumento, cayó, caído, caída, creció, crecido, descenso, "
        "se ha reducido, reducido, pasó de, pasado de, ha pasado, duplicó, duplicado, "
        "triplicó, que hace, más alta, más baja, "
        "superó, supera, superan, rozó"
    ),
    superlative=_phrases(
        "récord, la más, el más, los más, las más, el mayor, la mayor, el menor, la menor, "
        "más alta, más bajo, más baja, más alto, primera vez, que nunca, el séptimo, "
        "el último lugar"
    ),
    attribution=_phrases(
        "dijo, dice, afirmó, afirma, afirman, aseguró, asegura, aseguran, sostuvo, sostiene, "
        "declaró, señaló, señala, indica, denuncia, denuncian, advierte, estima, "
        "calcula, concluye, recoge, atribuyó, defendió, acusó, niega, niegan, negó"
    ),
    source=_phrases(
        "según, datos, cifras, informe, estudio, encuesta, estadística, registro, presupuestos, "
        "ministerio, instituto, oficial, operador, observatorio, agencia"
    ),
    prediction=_phrases(
        "prevé, prevén, previsión, previsiones, espera, esperan, se espera, "
        "el próximo año, el año que viene, a partir de, en el futuro"
    ),
    hedge=_phrases(
        "quizá, quizás, tal vez, puede que, podría, podrían, probablemente, posiblemente, "
        "al parecer, parece, sin duda, difícil de comprobar, dudan"
    ),
    first_person=_words("yo mi mis me conmigo he llevo sigo compro quiero puse"),
    months=_words(
        "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre "
        "noviembre diciembre"
    ),
    not_entities=_words(
        "el la los las un una unos unas lo al del de en y o que se su sus es este esta "
        "lunes martes miércoles jueves viernes sábado domingo"
    ),
)

LEXICONS = {"en": EN, "es": ES}

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
# 3.1, 1,150, 1.250.000, 9,6 and 1.448,7: any digit group joined by dots or commas.
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
YEAR = re.compile(r"^(?:1[89]|20)\d\d$")
PERCENT = re.compile(r"%|\bper ?cent\b|\bpor ciento\b|\bpercentage points?\b|\bpuntos?\b", re.I)
MONEY = re.compile(r"[$£€]|\b(?:dollars?|pounds?|euros?|dólares|libras)\b", re.I)
ONE_IN = re.compile(
    r"\b(?:one|two|three) (?:in|out of) (?:every )?\w+|\b\w+ de cada \w+", re.I | re.UNICODE
)
# Spanish future tense (subirá, costarán): a forecast when no hedge softens it.
ES_FUTURE = re.compile(r"\b\w+(?:rá|rán)\b", re.UNICODE)
# "since 2019", "desde 2012": a change over time.
SINCE_YEAR = re.compile(r"\b(?:since|desde) (?:19|20)\d\d\b")
# "more officers than", "menos paro que": a comparison with words between.
MORE_THAN = re.compile(
    r"\b(?:more|less|fewer|higher|lower|bigger|smaller|más|menos)\b(?:\s+\w+){1,3}\s+(?:than|que)\b"
)
# "by 2030", "antes de 2027": a deadline, so a forecast or a promise.
BY_YEAR = re.compile(r"\b(?:by|before|antes de|hasta) (?:19|20)\d\d\b")
TIME = re.compile(r"\b\d{1,2}[:.]\d\d\b|\bo'clock\b|\bde la (?:tarde|mañana|noche)\b", re.I)


_PHRASE_PATTERNS: dict[tuple[str, ...], re.Pattern] = {}


def _contains(text: str, phrases: tuple[str, ...]) -> int:
    """How many different `phrases` occur in `text` (lower case) as whole words."""
    pattern = _PHRASE_PATTERNS.get(phrases)
    if pattern is None:
        # Longest first, so "more than" wins over "more" at the same place.
        alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
        pattern = _PHRASE_PATTERNS[phrases] = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
    return len(set(pattern.findall(text)))


def _quantities(text: str, lexicon: Lexicon) -> tuple[int, int]:
    """(numbers that are quantities, numbers that are dates, years, times or ages)."""
    quantities = dates = 0
    for match in NUMBER.finditer(text):
        token = match.group()
        before = text[max(0, match.start() - 12) : match.start()].lower()
        after = text[match.end() : match.end() + 14].lower()
        next_word = after.split()[0].strip(".,;:") if after.split() else ""
        prev_word = before.split()[-1].strip(".,;:") if before.split() else ""
        is_year = bool(YEAR.match(token)) and not after.startswith(("%", " percent", " por"))
        is_date = (
            next_word in lexicon.months
            or (next_word == "de" and after.split()[1:2] and after.split()[1] in lexicon.months)
            or prev_word in lexicon.months
            or (prev_word in ("día", "el") and int(re.sub(r"\D", "", token)) <= 31)
        )
        # "Tom Hale, 74," or "Marta, de 24 años": an age, not a figure to check.
        is_age = (before.endswith((", ", ", de ")) and after[:1] in (",", ".", "")) or (
            before.endswith("de ") and after.startswith(" años")
        )
        if is_year or is_date or is_age:
            dates += 1
        else:
            quantities += 1
    if TIME.search(text):
        dates += 1
    return quantities, dates


def _entities(words: list[str], lexicon: Lexicon) -> int:
    """Capitalised words after the first: names of people, places and bodies."""
    count = 0
    for word in words[1:]:
        if word[0].isupper() and word.lower() not in lexicon.not_entities:
            count += 1
    return count


def features_of(text: str, language: str) -> dict[str, float]:
    """The heuristic's features of one sentence, each from 0 to 1."""
    lexicon = LEXICONS.get((language or "en")[:2].lower(), EN)
    lower = text.lower()
    words = WORD.findall(text)
    lower_words = [w.lower() for w in words]
    quantities, dates = _quantities(text, lexicon)
    number_words = sum(1 for w in lower_words if w in lexicon.number_words)
    if ONE_IN.search(lower):
        number_words += 1
    hedges = _contains(lower, lexicon.hedge)
    predicts = _contains(lower, lexicon.prediction) + bool(BY_YEAR.search(lower))
    comparisons = _contains(lower, lexicon.comparison) + bool(SINCE_YEAR.search(lower))
    comparisons += bool(MORE_THAN.search(lower))
    if lexicon is ES and ES_FUTURE.search(lower):
        predicts += 1
    stripped = text.strip()
    return {
        "number": 1.0 if quantities else 0.0,
        "number_word": min(number_words, 2) / 2,
        "percent": 1.0 if PERCENT.search(text) else 0.0,
        "money": 1.0 if MONEY.search(text) else 0.0,
        "comparison": min(comparisons, 2) / 2,
        "superlative": 1.0 if _contains(lower, lexicon.superlative) else 0.0,
        "attribution": 1.0 if _contains(lower, lexicon.attribution) else 0.0,
        "source": 1.0 if _contains(lower, lexicon.source) else 0.0,
        "entities": min(_entities(words, lexicon), 3) / 3,
        "prediction": 1.0 if predicts else 0.0,
        "hedge": 1.0 if hedges else 0.0,
        "question": 1.0 if stripped.endswith("?") or stripped.startswith("¿") else 0.0,
        "first_person": 1.0 if any(w in lexicon.first_person for w in lower_words) else 0.0,
        "short": 1.0 if len(words) < 6 else 0.0,
        "date_only": 1.0 if dates and not quantities else 0.0,
    }


def claim_type_of(features: dict[str, float]) -> str:
    """The claim type the features point to; the first cue in this order wins."""
    if features["prediction"] and not features["comparison"]:
        return "prediction"
    if features["first_person"]:
        return "personal_experience"
    if features["attribution"]:
        return "attribution"
    if features["comparison"] or features["superlative"]:
        return "comparison_or_change"
    if features["number"] or features["number_word"] or features["percent"]:
        return "quantity"
    return "other"


def score_features(features: dict[str, float]) -> float:
    """sigmoid(BIAS + the weighted features): the check-worthiness from 0 to 1."""
    z = BIAS + sum(WEIGHTS[name] * value for name, value in features.items())
    return 1 / (1 + math.exp(-z))


def score_sentence(text: str, language: str) -> tuple[float, str, dict[str, float]]:
    """Check-worthiness (0..1), claim type and features of one sentence in `language`.

    `language` is an ISO 639-1 code; anything but Spanish (`es`) is read with the English cues.
    """
    features = features_of(text, language)
    return score_features(features), claim_type_of(features), features
