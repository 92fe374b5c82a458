"""Spanish: the language from the browser (Accept-Language) or the switcher's cookie, English by
default; pages and API messages translated, dates and numbers localised (never inside ids and
links); and a catalogue with every message translated, its placeholders kept, its .mo current."""

import html as html_lib
import io
import re
import shutil
from gettext import GNUTranslations
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import Client

from annotations.models import Claim
from tests.factories import ArticleFactory, ClaimFactory, published_claim

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"
# Words of the English interface; none may be left on a page served in Spanish.
ENGLISH_UI_WORDS = [
    "Claims",
    "Claim",
    "Sources",
    "Verdict",
    "Verdicts",
    "Export",
    "Import",
    "Log in",
    "Log out",
    "Search",
    "Rating",
    "Status",
    "Language",
    "Articles",
    "My work",
    "Fact-checks",
    "Our rating",
    "Published",
    "Assigned to me",
    "Skip to content",
]


@pytest.fixture(autouse=True)
def _fresh_public_throttle():
    from django.core.cache import cache

    cache.clear()


def _client(user=None, **headers) -> Client:
    client = Client(headers=headers)
    if user is not None:
        client.force_login(user)
    return client


def visible_text(page: str, *data: str) -> str:
    """The words a reader sees: no tags, scripts or attributes, and without the fixtures' data
    (article titles, claim text), which stays in the language it was written in."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", page))
    for value in data:
        text = text.replace(value, " ")
    return re.sub(r"\s+", " ", text)


def english_left(text: str) -> list[str]:
    return [w for w in ENGLISH_UI_WORDS if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]


@pytest.fixture
def desk(editor):
    """An article with a claim awaiting the editor, and a published fact-check."""
    article = ArticleFactory(
        title="Presupuesto 2026", body="El gasto subió un 40 %.\nEl déficit bajó.", language="es"
    )
    ClaimFactory(article=article, created_by=editor, assignee=editor, text="El gasto subió")
    checked = ArticleFactory(
        title="Empleo", body="El paro bajó al 5 %.\nLo dijo el ministro.", language="es"
    )
    public = published_claim(article=checked, text="El paro bajó")
    return {"article": article, "public": public}


def _pages(desk) -> dict[str, str]:
    article, public = desk["article"], desk["public"]
    return {
        "my work": "/",
        "reader": f"/articles/{article.pk}/",
        "import": "/import/",
        "export": "/export/",
        "triage": "/triage/",
        "public claim": f"/claims/{public.pk}/",
        "public index": "/fact-checks/",
        "ratings": "/ratings/",
    }


def _fixture_data(desk) -> list[str]:
    public = desk["public"]
    return [
        desk["article"].title,
        desk["article"].body,
        public.text,
        public.quote_exact,
        public.article.title,
        public.article.body,
        public.published_verdict.explanation,
        *(s.title or s.url for s in public.sources.all()),
        *(s.quote for s in public.sources.all() if s.quote),
        "Example News",
        "English",  # the switcher names each language in its own words
    ]


@pytest.mark.parametrize(
    "name", ["my work", "reader", "import", "export", "triage", "public claim", "public index"]
)
def test_pages_in_spanish_from_the_browser(name, desk, editor):
    response = _client(editor, accept_language="es-ES,es;q=0.9,en;q=0.5").get(_pages(desk)[name])
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert response["Content-Language"] == "es"
    text = visible_text(page, *_fixture_data(desk), editor.get_username())
    assert not english_left(text), f"{name}: English words left: {english_left(text)}"
    assert "Mostrar las páginas en" in page  # the switcher's label
    # The check can fail: the same page in English shows those words.
    english = _client(editor).get(_pages(desk)[name]).content.decode()
    assert english_left(visible_text(english, *_fixture_data(desk), editor.get_username()))


def test_some_spanish_on_each_page(desk, editor):
    client = _client(editor, accept_language="es")
    pages = _pages(desk)
    expect = {
        "my work": ["Mi trabajo", "Afirmaciones a la espera de mi veredicto", "Cerrar sesión"],
        "reader": ["Marcar como afirmación (c)", "Atajos de teclado"],
        "import": ["Importar artículos", "Subir un archivo"],
        "export": ["Exportar afirmaciones verificadas", "Nueva exportación"],
        "public claim": ["Nuestra calificación", "Fuentes", "Falso", "Publicada el"],
        "public index": ["Verificaciones", "Buscar", "1 verificación."],
        "ratings": ["Cómo calificamos las afirmaciones", "Escala de veracidad", "Verdad a medias"],
    }
    for name, phrases in expect.items():
        page = client.get(pages[name]).content.decode()
        for phrase in phrases:
            assert phrase in page, f"{name}: no {phrase!r}"


def test_login_and_404_in_spanish():
    client = _client(accept_language="es")
    login = client.get("/login/").content.decode()
    assert '<html lang="es">' in login and "Iniciar sesión" in login and "Contraseña" in login
    assert not english_left(visible_text(login, "English"))
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    page = missing.content.decode()
    assert '<html lang="es">' in page and "Esta página no existe" in page


def test_english_by_default_and_for_english_browsers(desk, editor):
    for headers in ({}, {"accept_language": "en-GB,en;q=0.8"}, {"accept_language": "fr, de"}):
        page = _client(editor, **headers).get("/").content.decode()
        assert '<html lang="en">' in page
        assert "My work" in page and "Mi trabajo" not in page


def test_the_switcher_sets_a_cookie_that_beats_the_browser(desk, editor):
    client = _client(editor, accept_language="en")
    page = client.get("/export/").content.decode()
    assert 'action="/i18n/setlang/"' in page and 'name="next" value="/export/"' in page
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/export/"})
    assert response.status_code == 302 and response["Location"] == "/export/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    spanish = client.get("/export/").content.decode()
    assert '<html lang="es">' in spanish and "Nueva exportación" in spanish
    assert '<option value="es" lang="es" selected>Español</option>' in spanish
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "New export" in client.get("/export/").content.decode()


def test_public_claim_dates_in_the_readers_language_and_the_quote_keeps_its_own(desk):
    public = desk["public"]
    day = public.published_at
    spanish = _client(accept_language="es").get(f"/claims/{public.pk}/").content.decode()
    months = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto"]
    months += ["septiembre", "octubre", "noviembre", "diciembre"]
    assert f"{day.day} de {months[day.month - 1]} de {day.year}" in spanish
    assert '<blockquote class="claim-quote" lang="es">' in spanish
    english = _client().get(f"/claims/{public.pk}/").content.decode()
    assert f"{day.day} {day.strftime('%B')} {day.year}" in english


def test_numbers_are_localised_in_text_but_never_in_ids_and_links(editor):
    article = ArticleFactory(id=1234567, title="Big id")
    ClaimFactory(article=article, created_by=editor, assignee=editor, id=7654321)
    for language, grouped in (("es", "1.234.567"), ("en", "1,234,567")):
        client = _client(editor, accept_language=language)
        home = client.get("/").content.decode()
        assert 'data-article="1234567"' in home and 'id="status-1234567"' in home
        assert 'href="/articles/1234567/#claim-7654321"' in home
        assert grouped not in home
        reader = client.get("/articles/1234567/").content.decode()
        assert 'data-article-id="1234567"' in reader


def test_api_errors_in_spanish_keep_their_fields(client_for, reviewer, outsider):
    article, other = ArticleFactory(), ArticleFactory()
    foreign = other.sentences.first()
    body = {"article": article.id, "sentences": [foreign.id]}
    english = client_for(reviewer).post("/api/v1/claims/", body, format="json")
    spanish = client_for(reviewer).post(
        "/api/v1/claims/", body, format="json", HTTP_ACCEPT_LANGUAGE="es"
    )
    assert english.status_code == spanish.status_code == 400
    assert english.json() == {
        "sentences": [f"Sentences not in article {article.id}: {foreign.id}."]
    }
    assert spanish.json() == {
        "sentences": [f"Oraciones que no están en el artículo {article.id}: {foreign.id}."]
    }
    assert not Claim.objects.exists()
    refused = client_for(outsider).get("/api/v1/claims/", HTTP_ACCEPT_LANGUAGE="es")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Todavía no tiene un rol: pídale uno a un editor."


def test_choice_labels_and_rating_scale_in_spanish(client_for, reviewer):
    options = client_for(reviewer).get("/api/v1/review-options/", HTTP_ACCEPT_LANGUAGE="es").json()
    assert {"value": "published", "label": "Publicada"} in options["claim_statuses"]
    assert {"value": "refutes", "label": "Refuta la afirmación"} in options["stances"]
    scales = client_for(reviewer).get("/api/v1/rating-scales/", HTTP_ACCEPT_LANGUAGE="es").json()
    scale = scales["results"][0] if "results" in scales else scales[0]
    false = next(r for r in scale["ratings"] if r["slug"] == "false")
    assert false["label"] == "Falso"
    assert false["claim_review"]["alternateName"] == "False"  # the markup keeps the stored label


# --- The catalogue ------------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def _catalogue():
    with (CATALOGUE / "django.po").open("rb") as po:
        return read_po(po)


def _placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def test_every_message_is_translated_and_none_is_fuzzy():
    messages = [m for m in _catalogue() if m.id]
    assert len(messages) > 300
    untranslated = [m.id for m in messages if not all(_forms(m))]
    assert not untranslated
    assert not [m.id for m in messages if m.fuzzy]


def _forms(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def test_placeholders_are_kept():
    for message in _catalogue():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        expected = set().union(*map(_placeholders, ids))
        for form in _forms(message):
            assert _placeholders(form) == expected, f"{ids[0]!r} -> {form!r}"


def test_the_committed_mo_is_compiled_from_the_po():
    compiled = io.BytesIO()
    write_mo(compiled, _catalogue())
    compiled.seek(0)
    fresh = GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    with (CATALOGUE / "django.mo").open("rb") as mo:
        committed = GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    fresh.pop("", None)
    committed.pop("", None)
    assert committed == fresh, "run `make messages` and commit django.mo"


def test_every_marked_string_is_in_the_catalogue(tmp_path, settings, monkeypatch):
    """makemessages over a copy of the code finds nothing the committed django.po lacks: a string
    marked for translation and never gathered would show in English to a Spanish reader."""
    root = Path(settings.BASE_DIR)
    source = tmp_path / "src"
    for package in ("annotations", "factcheck", "frontend"):
        shutil.copytree(root / package, source / package, ignore=shutil.ignore_patterns("*.pyc"))
    # makemessages writes to the locale path that holds the files it reads: the copy's own.
    settings.LOCALE_PATHS = [source / "locale"]
    monkeypatch.chdir(source)
    call_command("makemessages", locale=["es"], verbosity=0)
    with (source / "locale" / "es" / "LC_MESSAGES" / "django.po").open("rb") as po:
        gathered = {(m.context, m.id) for m in read_po(po) if m.id}
    committed = {(m.context, m.id) for m in _catalogue() if m.id}
    missing = sorted(str(message) for message in gathered - committed)
    assert not missing, f"run `make messages` and translate: {missing}"


# --- The admin ----------------------------------------------------------------------------------

# Words of our admin pages in English (model and field names, our columns, the queue's words).
ADMIN_ENGLISH_WORDS = [
    "Claim",
    "Claims",
    "Claimant",
    "Anchor status",
    "Is hidden",
    "Updated at",
    "Moderation queue",
    "Moderation",
    "Open flags",
    "open flag",
    "Reason",
    "Flagged by",
    "When",
    "Hide it",
    "Dismiss the flags",
    "Open in the admin",
    "Open in the reviewer UI",
    "Fact-check administration",
    "Hide selected",
    "Retract the published verdict",
    "Import jobs",
    "Audit events",
]


def admin_english_left(text: str) -> list[str]:
    return [
        w for w in ADMIN_ENGLISH_WORDS if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)
    ]


@pytest.fixture
def flagged(other_reviewer):
    from annotations.models import Flag

    claim = published_claim(text="El paro bajó")
    Flag.objects.create(
        content_type_id=ContentType.objects.get_for_model(Claim).pk,
        object_id=claim.pk,
        reason="wrong",
        note="cifra dudosa",
        created_by=other_reviewer,
    )
    return claim


def _admin_data(claim) -> list[str]:
    return [
        str(claim),
        claim.text,
        claim.article.title,
        claim.quote_exact,
        "cifra dudosa",
        "English",
        *(s.title or s.url for s in claim.sources.all()),
    ]


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/moderation/", "/admin/annotations/claim/", "/admin/annotations/importjob/"],
)
def test_admin_pages_in_spanish(path, flagged, moderator, other_reviewer):
    spanish = _client(moderator, accept_language="es").get(path)
    assert spanish.status_code == 200
    data = [*_admin_data(flagged), moderator.username, other_reviewer.username]
    text = visible_text(spanish.content.decode(), *data)
    assert not admin_english_left(text), f"{path}: {admin_english_left(text)}"
    # The check can fail: the same page in English shows such words.
    english = _client(moderator).get(path).content.decode()
    assert admin_english_left(visible_text(english, *data))


def test_admin_names_and_queue_read_in_spanish(flagged, moderator):
    client = _client(moderator, accept_language="es")
    queue = client.get("/admin/moderation/").content.decode()
    for phrase in ["Cola de moderación", "1 denuncia abierta", "Ocultarlo", "Denunciada por"]:
        assert phrase in queue, phrase
    assert f"Afirmación #{flagged.pk}" in queue
    changelist = client.get("/admin/annotations/claim/").content.decode()
    for phrase in ["Declarante", "Estado del anclaje", "Por estado", "Ocultar los seleccionados"]:
        assert phrase in changelist, phrase


def test_in_review_label_in_both_languages(client_for, reviewer):
    from django.utils import translation

    from annotations.models import Article

    with translation.override("en"):
        assert str(Article.Status.IN_REVIEW.label) == "In review"
    assert Article.Status.IN_REVIEW.value == "in_review"  # the stored value is unchanged
    options = client_for(reviewer).get("/api/v1/articles/", HTTP_ACCEPT_LANGUAGE="es")
    assert options.status_code == 200
    with translation.override("es"):
        assert str(Article.Status.IN_REVIEW.label) == "En revisión"


# --- Import job errors in the reader's language ------------------------------------------------


def _import(user, content: bytes, name: str):
    from django.core.files.base import ContentFile

    from annotations.importing.run import run_import
    from annotations.services import start_import

    job = start_import(created_by=user, upload=ContentFile(content, name=name))
    return run_import(job.pk)


def test_import_errors_in_the_readers_language(client_for, reviewer):
    good = '{"title": "Uno", "body": "El gasto subió un 40 %."}'
    content = "\n".join(
        [good, "{oops", '{"title": "Sin cuerpo"}', '{"body": "x", "url": "ftp://x"}']
    )
    job = _import(reviewer, content.encode(), "day.jsonl")
    assert (job.created, job.failed) == (1, 3)
    english = client_for(reviewer).get(f"/api/v1/imports/{job.pk}/").json()["errors"]
    spanish = (
        client_for(reviewer)
        .get(f"/api/v1/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="es")
        .json()["errors"]
    )
    # English is what was stored, word for word; the place of each error is kept.
    assert english == [{k: e[k] for k in ("line", "message")} for e in job.errors]
    assert [e["line"] for e in spanish] == [2, 3, 4]
    assert spanish[0]["message"].startswith("JSON mal formado: ")
    assert spanish[0]["message"].endswith("en la columna 2.")
    assert spanish[1]["message"] == "Falta «body» (o «text»): un artículo necesita su texto."
    assert spanish[2]["message"] == "url «ftp://x» no es una URL http(s)."
    report = (
        client_for(reviewer)
        .get(f"/api/v1/imports/{job.pk}/errors/", HTTP_ACCEPT_LANGUAGE="es")
        .json()
    )
    assert report == spanish
    csv_report = client_for(reviewer).get(
        f"/api/v1/imports/{job.pk}/errors/?format=csv", HTTP_ACCEPT_LANGUAGE="es"
    )
    assert "un artículo necesita su texto" in csv_report.content.decode()


def test_job_level_messages_in_spanish_with_localised_numbers(client_for, reviewer, settings):
    settings.IMPORT_MAX_ERRORS = 2
    bad = "\n".join("{oops" for _ in range(1500)).encode()
    job = _import(reviewer, bad, "bad.jsonl")
    spanish = (
        client_for(reviewer)
        .get(f"/api/v1/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="es")
        .json()["errors"]
    )
    assert spanish[-1]["message"].startswith("La importación se detuvo tras ")
    assert "IMPORT_MAX_ERRORS=2" in spanish[-1]["message"]
    empty = _import(reviewer, b"[]", "empty.json")
    shown = (
        client_for(reviewer)
        .get(f"/api/v1/imports/{empty.pk}/", HTTP_ACCEPT_LANGUAGE="es")
        .json()["errors"]
    )
    assert shown == [{"file": "empty.json", "message": "No se encontraron artículos."}]


def test_unlisted_errors_count_is_localised():
    from django.utils import translation

    from annotations.jobmessages import JobMessage, displayed, error_entry

    entry = error_entry({}, JobMessage("%(count)s more errors are not listed.", count=1234))
    assert entry["message"] == "1,234 more errors are not listed."
    with translation.override("es"):
        # Django's Spanish groups thousands with a no-break space.
        assert displayed(entry) == {"message": "Errores sin listar: 1\xa0234 más."}
    with translation.override("en"):
        assert displayed(entry) == {"message": "1,234 more errors are not listed."}


def test_old_rows_without_a_msgid_show_their_english(client_for, reviewer):
    from annotations.models import ImportJob

    job = ImportJob.objects.create(
        created_by=reviewer,
        status="partial",
        errors=[
            {"line": 3, "message": "Malformed JSON: Expecting value at column 1."},
            {"line": 4, "message": "x", "msgid": "Gone %(what)s", "params": {}},  # params lost
        ],
    )
    shown = (
        client_for(reviewer)
        .get(f"/api/v1/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="es")
        .json()["errors"]
    )
    assert shown == [
        {"line": 3, "message": "Malformed JSON: Expecting value at column 1."},
        {"line": 4, "message": "x"},
    ]


def test_admin_error_report_in_spanish(editor):
    job = _import(editor, b'{"title": "Sin cuerpo"}\n', "day.jsonl")
    page = _client(editor, accept_language="es").get(
        f"/admin/annotations/importjob/{job.pk}/change/"
    )
    assert page.status_code == 200
    html = html_lib.unescape(page.content.decode())
    assert "línea 1" in html and "un artículo necesita su texto" in html


# --- Field names in the UI's error messages -----------------------------------------------------


def test_review_options_name_the_fields_in_the_readers_language(client_for, reviewer):
    spanish = client_for(reviewer).get("/api/v1/review-options/", HTTP_ACCEPT_LANGUAGE="es")
    labels = spanish.json()["field_labels"]
    assert labels["explanation"] == "Explicación"
    assert labels["claimant"] == "Declarante"
    assert labels["correction"] == "Nota de corrección"
    english = client_for(reviewer).get("/api/v1/review-options/").json()["field_labels"]
    assert english["explanation"] == "Explanation"
