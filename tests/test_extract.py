"""Readers: plain text, Markdown and saved web pages into the article model (blocks + metadata)."""

from __future__ import annotations

from pathlib import Path

import pytest

from audioarticles.clean import clean, load_rules
from audioarticles.errors import ArticleSkipped, InputError, UsageError
from audioarticles.extract import (read_file, read_html, read_markdown, read_plain_text,
                                   remove_skipped)
from audioarticles.extract.html import parse_html
from audioarticles.extract.plain import is_heading
from conftest import SAMPLE

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = FIXTURES / "html"


def kinds(article):
    return [b.kind for b in article.blocks]


def texts(article, kind=None):
    return [b.text for b in article.blocks if kind is None or b.kind == kind]


# --- plain text -------------------------------------------------------------------------------

@pytest.mark.parametrize("line, next_line, expected", [
    ("France 2030, une approche systémique de l’innovation", "Le secrétaire général a parlé.", True),
    ("Une gouvernance ouverte et collaborative", "Enfin, Hela Ghariani a rappelé l’importance.", True),
    ("Pr Fabrice André : « L’IA générative sera le cœur de la recherche clinique de demain »",
     "Directeur de la recherche, le Pr André a livré une intervention.", True),
    ("Bruno Bonnell a mis en avant deux réussites majeures :", "- La formation : 70 000.", False),
    ("Avez-vous apprécié ce contenu ?", "A lire également.", False),
    ("Une ligne courte sans point", "- un élément de liste", False),
    ("Une ligne courte sans point", "Une autre ligne courte", False),
    ("Une ligne courte sans point", None, False),
    ("Un titre " + "très " * 30 + "long", "Une phrase.", False),
])
def test_plain_text_heading_rule(line, next_line, expected):
    assert is_heading(line, next_line) is expected


def test_plain_text_title_headings_lists_quotes():
    text = ("\n\nLe titre de l’article\n\nPremier paragraphe qui se termine.\n"
            "Une section\nLe texte de la section.\n- un\n• deux\n1. trois\n2) quatre\n"
            "> Une citation.\nDernier paragraphe.\n")
    article = read_plain_text(text, "a.txt")
    assert article.meta.title == "Le titre de l’article"
    assert kinds(article) == ["title", "paragraph", "heading", "paragraph", "list_item", "list_item",
                              "list_item", "list_item", "quote", "paragraph"]
    assert texts(article, "list_item") == ["un", "deux", "trois", "quatre"]
    assert texts(article, "quote") == ["Une citation."]


def test_plain_text_joins_hard_wrapped_lines_and_keeps_no_break_spaces():
    text = ("Titre\n\nUne phrase coupée à soixante-douze colonnes qui continue\n"
            "sur la ligne suivante avec 7\u00a0800 projets.\nUne autre phrase.\n")
    article = read_plain_text(text, "a.txt")
    assert texts(article, "paragraph") == [
        "Une phrase coupée à soixante-douze colonnes qui continue sur la ligne suivante "
        "avec 7\u00a0800 projets.", "Une autre phrase."]


def test_the_seed_article_reads_into_blocks():
    article = read_file(SAMPLE, "samples/ia-sante-numerique.txt")
    assert article.blocks[0].kind == "title"
    headings = texts(article, "heading")
    assert "France 2030, une approche systémique de l’innovation" in headings
    assert "Une gouvernance ouverte et collaborative" in headings
    assert ("Pr Fabrice André : « L’IA générative sera le cœur de la recherche clinique de demain »"
            in headings)
    assert article.meta.source == "samples/ia-sante-numerique.txt"


# --- markdown ---------------------------------------------------------------------------------

MARKDOWN = """---
title: "Le titre du front matter"
author: Jeanne Martin
date: 2026-02-02
url: https://exemple.fr/article
lang: fr-FR
---

# Le titre du front matter

Un paragraphe avec de l'*emphase*, du **gras** et [un lien](https://exemple.fr/x)
coupé sur deux lignes. ![une image](photo.jpg)

## Une section

- premier point
- second point avec `du code`

1. étape une

> Une citation
> sur deux lignes.

```python
print("jamais lu")
```

    code indenté jamais lu

<div>HTML brut jamais lu</div>

![seule image](photo.jpg)
"""


def test_markdown_reads_structure_and_drops_what_is_not_read():
    article = read_markdown(MARKDOWN, "a.md")
    assert article.meta.title == "Le titre du front matter"
    assert article.meta.author == "Jeanne Martin"
    assert article.meta.date == "2026-02-02"
    assert article.meta.canonical_url == "https://exemple.fr/article"
    assert article.meta.language == "fr-FR"
    assert kinds(article) == ["title", "paragraph", "heading", "list_item", "list_item",
                              "list_item", "quote"]
    assert texts(article, "paragraph") == [
        "Un paragraphe avec de l'emphase, du gras et un lien coupé sur deux lignes."]
    assert texts(article, "list_item") == ["premier point", "second point avec du code", "étape une"]
    assert texts(article, "quote") == ["Une citation sur deux lignes."]
    spoken = " ".join(texts(article))
    for never in ("jamais lu", "photo.jpg", "https://", "une image", "seule image", "**", "#"):
        assert never not in spoken


def test_markdown_without_h1_takes_its_first_block_as_title():
    article = read_markdown("Un titre simple\n\nUn paragraphe.\n", "a.md")
    assert kinds(article) == ["title", "paragraph"]
    assert article.meta.title == "Un titre simple"


# --- HTML -------------------------------------------------------------------------------------

# For each saved page: metadata, headings, what must be read, and site chrome that must not.
HTML_PAGES = {
    "franceculture.fr.idees.html": dict(
        title="Prendre la parole", author="Jacques Munier", date="2020-01-14", language="fr",
        canonical="https://www.franceculture.fr/emissions/le-journal-des-idees/"
                  "le-journal-des-idees-emission-du-mardi-14-janvier-2020",
        headings=["Performativité", "Je est un autre"],
        body=["Grand débat national, Convention citoyenne pour le climat",
              "Serions-nous entrés dans l’ère de ce que Paul Valadier",
              "C’est ainsi que prend forme le consensus de crise",
              "D’où « la nécessité impérieuse de se réapproprier le langage ».",
              "La dernière livraison de la revue Effeuillage"],
        chrome=["Programmes", "Podcasts", "S'abonner à nos newsletters", "Les plus consultés",
                "Réécouter", "Radio France", "Code embed", "Je m'abonne", "A lire aussi",
                "Revue Projet", "Par Jacques Munier", "Le viager"],
        quotes=3),
    "laviedesidees.fr.evaluation.html": dict(
        title="L’évaluation et les listes de revues", author="Florence Audier", date="2009-09-15",
        language="fr", canonical="http://www.laviedesidees.fr/L-evaluation-et-les-listes-de.html",
        headings=["Contribution aux revues et qualité des recherches",
                  "Méthodologie de notre étude sur les auteurs des articles publiés dans les revues",
                  "Présentation globale des résultats", "Quelques réflexions en guise de conclusion"],
        body=["Depuis longtemps, les économistes et les gestionnaires",
              "Parmi les 705 revues listées, 58 (soit 8\u00a0%) sont de langue française",
              "Cette situation peut inciter à déployer diverses stratégies"],
        chrome=["Aller au menu principal", "Télécharger au format PDF", "Articles les plus lus",
                "Toute reproduction interdite", "Nos partenaires", "Mots-clés", "Photo (cc)",
                "Revues Généralistes", "Tweeter", "Abonnez-vous"],
        quotes=0),
    "sauvonsluniversite.com.spip.html": dict(
        title="Décisions de l’AG Éducation IDF du mardi 10 septembre", author="", date="2019-09-11",
        language="fr", canonical="http://www.sauvonsluniversite.fr/spip.php?article8532",
        headings=["1) Conférence de presse du mercredi 11 septembre pour un «\u00a0contre-bilan\u00a0» de la "
                  "rentrée",
                  "2) Grève interprofessionnelle du mardi 24 septembre + AG Éducation + convergence "
                  "interpro",
                  "3) Grève et mobilisation pour le climat les vendredi 20 et samedi 21 septembre",
                  "4) «\u00a0Contre-comité de suivi\u00a0» des réformes Blanquer"],
        body=["L’AG Éducation Île-de-France inter-degrés a réuni le mardi 10 septembre",
              "appel à la grève le 24 septembre par plusieurs organisations syndicales.",
              "Elle créera également un compte Twitter"],
        chrome=["Accueil", "Dans la même rubrique", "Rubriques", "Communiqués et textes de SLU",
                "Quelques réponses aux questions fréquemment posées", "mercredi 11 septembre 2019"],
        quotes=0),
    "soundofscience.fr.1927.html": dict(
        title="Une candidature collective à la présidence du HCERES", author="Martin Clavey",
        date="2020-01-20", language="fr-FR", canonical="https://www.soundofscience.fr/1927",
        headings=["Une cible, la bureaucratie de l’évaluation de la recherche",
                  "Lettre de motivation : Défendre l’autonomie de la recherche et des formations"],
        body=["En réaction à la candidature du conseiller recherche d’Emmanuel Macron",
              "Sans recherche autonome, nous n’avons pas d’avenir"],
        chrome=["Laisser un commentaire", "Powered by WordPress", "Flux RSS des billets",
                "Sur le même thème", "Politique de confidentialité", "Image illustrative",
                "Tweets de", "Copyright", "Menu", "\u00ad"],
        quotes=0),
}


@pytest.fixture(scope="module")
def cleaned_pages():
    rules = load_rules()
    return {name: clean(read_file(PAGES / name, f"pages/{name}"), rules) for name in HTML_PAGES}


@pytest.mark.parametrize("name", sorted(HTML_PAGES))
def test_html_page_metadata_title_and_headings(cleaned_pages, name):
    expected = HTML_PAGES[name]
    article = cleaned_pages[name]
    meta = article.meta
    assert (meta.title, meta.author, meta.date, meta.language, meta.canonical_url) == (
        expected["title"], expected["author"], expected["date"], expected["language"],
        expected["canonical"])
    assert article.blocks[0] == article.blocks[0].__class__("title", expected["title"])
    assert [b.kind for b in article.blocks].count("title") == 1
    headings = texts(article, "heading")
    for heading in expected["headings"]:
        assert heading in headings
    assert expected["title"] not in headings
    assert len(texts(article, "quote")) == expected["quotes"]


@pytest.mark.parametrize("name", sorted(HTML_PAGES))
def test_html_page_body_in_chrome_out(cleaned_pages, name):
    expected = HTML_PAGES[name]
    text = "\n".join(texts(cleaned_pages[name]))
    for passage in expected["body"]:
        assert passage in text
    for chrome in expected["chrome"]:
        assert chrome not in text, chrome
    assert sum(len(b) for b in texts(cleaned_pages[name], "paragraph")) > 2500


def test_html_list_and_quote_elements_become_blocks():
    html = """<html lang="fr"><head><title>Un titre - Le Site</title>
    <meta property="og:title" content="Un titre"></head><body>
    <nav><a href="/">Accueil</a> <a href="/a">Rubrique</a></nav>
    <article><h1>Un titre</h1>
    <p>Un premier paragraphe, suffisamment long pour être retenu comme contenu principal.</p>
    <h2>Une section</h2>
    <ul><li>Premier élément de la liste à lire.</li><li>Second élément de la liste à lire.</li></ul>
    <blockquote><p>Une citation importante de quelqu’un.</p></blockquote>
    <p>Un dernier paragraphe, lui aussi assez long pour passer les filtres de l’extracteur.</p>
    <div class="share-bar">Partager sur Facebook Twitter</div>
    <script>var lire = "jamais";</script><style>p { color: red }</style>
    </article><footer>Mentions légales du site</footer></body></html>"""
    article = read_html(html, "page.html", url="https://exemple.fr/un-titre")
    assert kinds(article) == ["title", "paragraph", "heading", "list_item", "list_item", "quote",
                              "paragraph"]
    assert article.meta.title == "Un titre"
    assert article.meta.url == "https://exemple.fr/un-titre"
    spoken = " ".join(texts(article))
    for never in ("Partager", "jamais", "color", "Mentions légales", "Accueil"):
        assert never not in spoken


SKIP_PAGE = """<html lang="fr"><head><title>Le titre</title></head><body><article><h1>Le titre</h1>
<p>Le corps de l’article commence ici, avec une phrase suffisamment longue pour compter.</p>
<div data-audio="skip"><p>Un encadré que l’éditeur ne veut pas faire lire, même s’il est long.</p></div>
<p class="credit">Crédit : une agence qui ne doit pas être lue non plus dans ce test précis.</p>
<p>Le corps de l’article continue ici, avec une seconde phrase assez longue pour compter.</p>
</article></body></html>"""


def test_data_audio_skip_is_never_read():
    article = read_html(SKIP_PAGE, "page.html")
    spoken = " ".join(texts(article))
    assert "encadré" not in spoken
    assert "Le corps de l’article continue ici" in spoken


def test_skip_rules_are_data_driven_selectors():
    article = read_html(SKIP_PAGE, "page.html", skip=['[data-audio="skip"]', "p.credit"])
    assert "agence" not in " ".join(texts(article))
    kept = read_html(SKIP_PAGE, "page.html", skip=[])
    assert "encadré" in " ".join(texts(kept))
    tree = parse_html(SKIP_PAGE, "page.html")
    assert remove_skipped(tree, ["div[data-audio]", ".credit", "#absent"]) == 2
    with pytest.raises(UsageError, match="bad CSS selector"):
        read_html(SKIP_PAGE, "page.html", skip=["p[["])


def test_a_chrome_selector_holding_the_first_h1_does_not_skip_the_page():
    # a rubric's <h1> nested in the breadcrumb (La Tribune): the breadcrumb goes, the article
    # is read; the publisher's own mark there still skips the page
    page = SKIP_PAGE.replace("<article>", "<article><ol class='breadcrumb'><li><a href='/'>"
                             "<h1>Tribunes</h1></a></li></ol>")
    spoken = " ".join(texts(read_html(page, "page.html")))
    assert "Le corps de l’article continue ici" in spoken and "Tribunes" not in spoken
    with pytest.raises(ArticleSkipped, match=r"marks the whole article \[data-audio"):
        read_html(page.replace("class='breadcrumb'", "class='breadcrumb' data-audio='skip'"),
                  "page.html")


def test_html_without_article_text_is_an_input_error():
    with pytest.raises(InputError, match="no article text found"):
        read_html("<html><body><nav><a href='/'>Accueil</a></nav></body></html>", "vide.html")
    with pytest.raises(InputError, match="empty"):
        read_html("   ", "vide.html")


# --- files ------------------------------------------------------------------------------------

def test_read_file_picks_the_reader_by_extension(tmp_path):
    (tmp_path / "a.md").write_text("# Titre\n\nTexte.\n", encoding="utf-8")
    (tmp_path / "b.htm").write_bytes(
        SKIP_PAGE.replace("<head>", '<head><meta charset="windows-1252">').encode("cp1252"))
    assert read_file(tmp_path / "a.md", "a.md").meta.title == "Titre"
    page = read_file(tmp_path / "b.htm", "b.htm")
    assert "Le corps de l’article continue ici" in " ".join(texts(page))


@pytest.mark.parametrize("name, content, message", [
    ("vide.txt", b"  \n", "b.txt: the file is empty; nothing to read"),
    ("image.txt", b"\x89PNG\x00\x00", "b.txt: this is a binary file, not text; pass a .txt, .md or .html article"),
    ("latin.txt", "Été".encode("latin-1"), "b.txt: not valid UTF-8 (byte 0); save the file as UTF-8"),
    ("doc.pdf", b"%PDF", "b.txt: unsupported file type '.pdf'; supported: .htm, .html, .markdown, .md, .text, .txt"),
])
def test_read_file_errors_say_what_and_how_to_fix(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_file(path, "b.txt")
    assert str(caught.value) == message
