"""Spanish for the ES modules: the catalogue /jsi18n/ serves, the health of djangojs.po and its
compiled .mo, and a scan of the modules for user-visible English left outside gettext."""

import gettext
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.test import Client

MODULES = Path(settings.BASE_DIR) / "frontend" / "static" / "frontend"
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)s|%s")


def _po():
    with (CATALOGUE / "djangojs.po").open("rb") as po:
        return read_po(po)


def _messages():
    """Every real entry of djangojs.po (the header left out)."""
    return [m for m in _po() if m.id]


def _catalogue_js(**headers) -> str:
    response = Client().get("/jsi18n/", **headers)
    assert response.status_code == 200
    return response.content.decode()


# --- What the browser gets ---------------------------------------------------------------------


def test_the_catalogue_speaks_spanish_to_a_spanish_browser():
    js = _catalogue_js(HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    # Django writes non-ASCII as \\uXXXX escapes in the catalogue.
    assert '"Delete claim": "Eliminar la afirmaci\\u00f3n"' in js
    assert '"approved by %(person)s, %(date)s": "aprobado por %(person)s, %(date)s"' in js
    assert '"claim state\\u0004published": "publicada"' in js
    # Spanish has three plural forms in Django's catalogue (one, millions, other): ours match,
    # or ngettext would answer "" for the third.
    assert "n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2" in js
    assert '"%(count)s afirmaciones exportadas."' in js


def test_the_catalogue_is_empty_for_english():
    js = _catalogue_js(HTTP_ACCEPT_LANGUAGE="en")
    assert "Eliminar la afirmaci" not in js
    assert "aprobado por" not in js


def test_every_desk_page_loads_the_catalogue_before_its_module(client, reviewer):
    client.force_login(reviewer)
    html = client.get("/import/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    catalogue = html.index('<script src="/jsi18n/?language=es">')
    assert catalogue < html.index('type="module"')
    # The page's language is also Intl's (i18n.js reads <html lang>).
    assert '<html lang="es">' in html


# --- djangojs.po and djangojs.mo ---------------------------------------------------------------


def test_every_string_is_translated_and_none_is_fuzzy():
    catalog = _po()
    assert not catalog.fuzzy, "the header is marked fuzzy: msgfmt would drop its Plural-Forms"
    untranslated = [
        m.id
        for m in _messages()
        if not all(m.string if isinstance(m.string, tuple) else [m.string])
    ]
    fuzzy = [m.id for m in _messages() if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_placeholders_match_between_english_and_spanish():
    wrong = []
    for message in _messages():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if sorted(PLACEHOLDER.findall(string)) != wanted:
                wrong.append((ids[0], string))
    assert wrong == []


def test_the_committed_mo_is_the_po_compiled():
    with (CATALOGUE / "djangojs.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    messages = _messages()
    assert len(compiled._catalog) - 1 == sum(  # type: ignore[attr-defined]  # minus the header
        len(m.string) if isinstance(m.id, tuple) else 1 for m in messages
    ), "djangojs.mo has other messages than djangojs.po: run make messages"
    for message in messages:
        if isinstance(message.id, tuple):
            for n, wanted in (
                (1, message.string[0]),
                (5, message.string[2]),
                (1_000_000, message.string[1]),
            ):
                got = (
                    compiled.npgettext(message.context, *message.id, n)
                    if message.context
                    else compiled.ngettext(*message.id, n)
                )
                assert got == wanted, (
                    f"djangojs.mo is stale for {message.id[0]!r}: run make messages"
                )
        else:
            got = (
                compiled.pgettext(message.context, message.id)
                if message.context
                else compiled.gettext(message.id)
            )
            assert got == message.string, (
                f"djangojs.mo is stale for {message.id!r}: run make messages"
            )


# --- The modules --------------------------------------------------------------------------------

CALL = re.compile(
    r"""\b(gettext|ngettext|pgettext)\(\s*(?:"((?:[^"\\]|\\.)*)"\s*,\s*)?"((?:[^"\\]|\\.)*)"|\b(?:gettext|ngettext|pgettext)\(\s*`"""
)


def _modules() -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(MODULES.glob("*.js"))}


def test_every_wrapped_string_is_in_the_catalogue():
    """A string wrapped in the code but missing from djangojs.po shows in English: make messages."""
    known = {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in _messages()}
    missing = []
    for name, source in _modules().items():
        if name == "i18n.js":
            continue
        for match in CALL.finditer(source):
            assert match.group(0)[-1] != "`", (
                f"{name}: a template literal in gettext is not extracted"
            )
            function, first, second = match.groups()
            context, msgid = (first, second) if function == "pgettext" else (None, first or second)
            if function == "ngettext":
                msgid = first
            if (context, msgid.replace('\\"', '"')) not in known:
                missing.append((name, context, msgid))
    assert missing == []


def _without_expressions(template: str) -> str:
    """A template literal's text with its ${...} parts removed (braces may nest)."""
    out, depth, i = [], 0, 0
    while i < len(template):
        if depth == 0 and template.startswith("${", i):
            depth, i = 1, i + 2
            continue
        if depth:
            depth += {"{": 1, "}": -1}.get(template[i], 0)
        else:
            out.append(template[i])
        i += 1
    return "".join(out)


# Where a module puts text in front of a person: a string literal there must be wrapped. The
# first sinks take text only; the last ones (ternaries, object values, later arguments of el())
# also take codes, so there only a literal that reads as prose counts.
STRING = r"""("(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`)"""
TEXT_SINKS = [
    rf"\.(?:textContent|innerText|innerHTML|title|placeholder|label)\s*=\s*{STRING}",
    rf"""setAttribute\(\s*"(?:aria-label|aria-description|title|placeholder|alt)"\s*,\s*{STRING}""",
    rf"""["']?(?:aria-label|aria-description|title|placeholder|label|alt)["']?\s*:\s*{STRING}""",
    rf"\b(?:confirm|alert|prompt)\(\s*{STRING}",
    rf"\bsay\([^,()]+,\s*{STRING}",
    rf"\bnew (?:ApiError|Error)\(\s*{STRING}",
    # el(tag, {attributes}, "text"): the first child after the attributes.
    rf"\}},\s*{STRING}",
]
CODE_OR_TEXT_SINKS = [
    rf"\breturn\s+{STRING}",
    rf"(?:\|\||\?\?)\s*{STRING}",
    rf"\.push\(\s*{STRING}",
    rf"\bel\(\s*\"\w+\"\s*,\s*\{{[^{{}}]*\}}\s*,(?:[^;]*?,)?\s*{STRING}",
    rf"\?\s*{STRING}\s*:",
    rf":\s*{STRING}\s*[,;)]",
]
WORDS = re.compile(r"[A-Za-z]{2,}")
PROSE = re.compile(r"^\W*[A-Z][a-z]|[A-Za-z]{2,}\s+[A-Za-z]{2,}")
# Literals in a text sink that are not English: URL schemes and format names.
NOT_WORDS = {'"https://"', '"CSV"', '"ClaimReview"'}
# What gettext already wraps is gone before the scan.
WRAPPED = re.compile(rf"\b(?:gettext|pgettext|ngettext)\(\s*{STRING}(?:\s*,\s*{STRING})?")


def unwrapped_strings(source: str) -> list[str]:
    """User-visible string literals with words in them that no gettext call wraps."""
    source = WRAPPED.sub("gettext(_", source)
    found = []
    for sinks, looks_like_text in ((TEXT_SINKS, WORDS), (CODE_OR_TEXT_SINKS, PROSE)):
        for sink in sinks:
            for match in re.finditer(sink, source):
                literal = match.group(1)
                if literal in NOT_WORDS:
                    continue
                text = (
                    _without_expressions(literal[1:-1])
                    if literal.startswith("`")
                    else literal[1:-1]
                )
                if looks_like_text.search(text):
                    found.append(literal)
    return found


def _code_only(source: str) -> str:
    """The module without comments."""
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    source = re.sub(r"^\s*//.*$", "", source, flags=re.M)
    return re.sub(r"\s//\s.*$", "", source, flags=re.M)


# Attribute values, codes and DOM names: never shown as text.
CODE = re.compile(
    r"""(?:class|id|type|name|role|rel|target|href|for|value|rows|maxlength|autocomplete|method|accept|kind|block|"data-[\w-]+"|"aria-(?:labelledby|describedby|current|expanded|busy)")\s*:\s*("(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`)"""
)


def test_no_module_shows_an_unwrapped_english_string():
    problems = {}
    for name, source in _modules().items():
        found = unwrapped_strings(CODE.sub("", _code_only(source)))
        if found:
            problems[name] = found
    assert problems == {}


@pytest.mark.parametrize(
    "regression",
    [
        'box.textContent = "Saved.";',
        "box.textContent = `Claim #${claim.id} saved`;",
        'button.title = "Open the claim";',
        'node.setAttribute("aria-label", "Claim actions");',
        'el("section", { "aria-label": "Add a source" });',
        'el("input", { type: "url", placeholder: "Paste an address" });',
        "if (!window.confirm(`Delete claim #${claim.id}?`)) return;",
        'say(errorBox, "Choose a file first.");',
        "say(errorBox, `The claim was not moved. ${error.message}`);",
        'el("button", { type: "button" }, "Reject")',
        'el("p", { class: "muted" }, `Rated by ${who(verdict.author)}`)',
        'el("td", {}, stateBadge(job.status), "Nothing matched")',
        'const words = claim.assignee ? "Assigned to you" : "Nobody";',
        'const FORMAT_WORDS = { jsonl: "JSON lines", csv: "CSV" };',
        'problems.push("Line 3 is empty.");',
        'throw new ApiError("The server could not be reached.");',
        'if (status === 401) return "Your session has ended.";',
        'return flatten(body?.detail) || "You are not allowed to do this.";',
    ],
)
def test_the_scan_catches_a_string_left_unwrapped(regression):
    assert unwrapped_strings(CODE.sub("", _code_only(regression))), f"not caught: {regression}"


@pytest.mark.parametrize(
    "wrapped",
    [
        'box.textContent = gettext("Saved.");',
        'say(box, interpolate(gettext("Not moved. %(error)s"), { error: error.message }, true));',
        'el("button", { type: "button", class: "primary" }, gettext("Reject"))',
        'el("span", { class: `badge state-${claim.status}`, "data-testid": "x" }, claimState(s))',
        'el("td", {}, el("a", { href: `#job-${job.id}` }, `#${job.id}`))',
        'el("input", { type: "url", name: "url", required: true, placeholder: "https://" })',
    ],
)
def test_the_scan_lets_wrapped_strings_and_markup_through(wrapped):
    assert unwrapped_strings(CODE.sub("", _code_only(wrapped))) == []
