"""Main-text extraction on French web pages: each page's gold snippets (what must and must not
be read), the evidence and chrome rules as tables of examples, and pages nested too deep."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from audioarticles.clean import clean, load_rules
from audioarticles.errors import ArticleSkipped, InputError
from audioarticles.extract import read_html
from audioarticles.extract.gold import check, comparable, gold_pages, load_gold
from audioarticles.extract.html import flatten_wrappers, parse_html
from audioarticles.extract.main_text import (
    Evidence,
    blocks_from_jsonld,
    combine,
    gather,
    headline,
    is_action,
    jsonld_body,
    merge_modes,
    name_words,
    packaged_chrome,
    prune_before_headline,
    prune_chrome,
    remove_footnote_calls,
    standfirst,
    summary_box,
)
from audioarticles.model import Block

PAGES = Path(__file__).parent / "fixtures" / "html"
GOLD_PAGES = gold_pages(PAGES)


def spoken_text(html: str, name: str) -> str:
    try:
        article = clean(read_html(html, name), load_rules())
    except ArticleSkipped:  # a page skipped as an opt-out reads nothing
        return ""
    return "\n".join(block.text for block in article.blocks)


def test_there_are_real_and_own_pages_with_gold():
    kinds = [load_gold(page).kind for page in GOLD_PAGES]
    assert kinds.count("real") == 4
    assert kinds.count("realblind") >= 12  # real news pages from other projects' test data
    assert kinds.count("own") + kinds.count("heldout") >= 10


@pytest.mark.parametrize("page", GOLD_PAGES, ids=lambda p: p.name)
def test_every_gold_snippet_is_on_its_page(page):
    """The gold is checked too: each snippet is text of the page, visible or in its JSON-LD
    article body (a typo in a snippet would otherwise count as a must-not-read honoured)."""
    tree = lxml.html.document_fromstring(page.read_text(encoding="utf-8"))
    published = " ".join(b.text for b in blocks_from_jsonld(jsonld_body(tree)))
    for element in tree.xpath("//script|//style"):
        element.drop_tree()
    visible = comparable(tree.text_content() + " " + published)
    gold = load_gold(page)
    for snippet in gold.must_read + gold.must_not_read:
        assert comparable(snippet) in visible, snippet
    assert set(gold.known_misses) <= set(gold.must_read + gold.must_not_read)


@pytest.mark.parametrize("page", GOLD_PAGES, ids=lambda p: p.name)
def test_page_reads_its_gold(page):
    """What a listener hears from the page (extraction, then the boilerplate rules) has every
    must-read snippet and none of the must-not-read ones, but for the known misses."""
    gold = load_gold(page)
    verdict = check(spoken_text(page.read_text(encoding="utf-8"), page.name), gold)
    assert sorted(verdict.failed) == sorted(gold.known_misses), verdict.failures


# --- chrome -------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, has, lacks", [
    ("sc-q6c3n2-0 hnwLtU", {"sc", "q6c3n2"}, {"newsletter"}),
    ("article-newsletter", {"newsletter", "article-newsletter"}, {"news"}),
    ("Related_root__Ud7Mv", {"related"}, {"root__ud7mv"}),
    ("encart-lire-aussi", {"lire-aussi", "encart"}, {"encart-lire-aussi"}),
    ("has-post-thumbnail category-actualite tag-travaux", {"tag", "travaux"}, {"tags", "ad"}),
    ("field--name-body", {"body", "name-body"}, {"name--body"}),
])
def test_class_and_id_words(value, has, lacks):
    words = name_words(value)
    assert has <= words
    assert not (lacks & words)


PAGE = """<html lang="fr"><head><title>T</title></head><body>
<div class="cookie-banner">Nous utilisons des cookies pour mesurer l’audience.</div>
<article class="post has-post-thumbnail"><h1>Le titre</h1>
<div class="entry-content">
<p id="p1">{long1}</p>
<figure><img src="x.jpg"><figcaption>Une légende. Photo Agence</figcaption></figure>
<p id="teaser"><strong>À lire aussi :</strong>
<a href="/autre">Castres : le Pont-Neuf rouvert après six mois de chantier</a></p>
<div class="encadre"><p>Notre média vit de vos dons.</p>
<p><a href="/dons">Je fais un don</a></p></div>
<p id="p2">{long2}</p>
<p id="mail">Écrivez à <a href="mailto:redaction@exemple.fr">redaction@exemple.fr</a></p>
</div>
<div class="video-block"><p>{long1}</p><p>{long2}</p></div>
<div class="share">Partager sur Facebook</div>
</article>
<div id="comments"><p>{long1}</p><p>{long2}</p></div>
<footer>Mentions légales</footer></body></html>""".format(
    long1="Un premier paragraphe de l’article, de la longueur d’un paragraphe de presse : "
          "il pose les faits, cite une source, donne un chiffre et un lieu, puis annonce la "
          "suite avec plusieurs propositions et des virgules, et une fin qui arrive enfin ici.",
    long2="Un second paragraphe de l’article, aussi long que le premier, qui poursuit le "
          "récit : il rapporte une déclaration entre guillemets, la replace dans son contexte, "
          "et donne encore quelques détails sur les conséquences avant de conclure ici.")


def test_prune_chrome_removes_chrome_and_keeps_prose():
    tree = parse_html(PAGE, "page.html")
    prune_chrome(tree, [next(tree.iter("h1"))])
    text = comparable(tree.text_content())
    for gone in ("cookies", "Une légende", "À lire aussi", "vos dons", "Partager", "Mentions"):
        assert gone not in text, gone
    # a named element that reads like an article stays; comments go even though they do
    assert len(tree.xpath("//div[@class='video-block']")) == 1
    assert tree.get_element_by_id("comments", None) is None
    for kept in ("p1", "p2", "mail"):
        assert tree.get_element_by_id(kept, None) is not None, kept
    assert next(tree.iter("h1")).text == "Le titre"


def test_a_section_header_inside_the_article_is_not_chrome():
    html = ("<html><body><header><a href='/'>Le site</a> <a href='/a'>Rubrique</a></header>"
            "<article><h1>Titre</h1><section><header><h2>Un intertitre</h2></header><p>Texte."
            "</p></section><blockquote><p>Une citation.</p><footer>Victor Hugo</footer>"
            "</blockquote><footer>Mots-clés : retraites</footer></article></body></html>")
    tree = parse_html(html, "page.html")
    prune_chrome(tree, [next(tree.iter("h1"))])
    text = comparable(tree.text_content())
    assert "Un intertitre" in text and "Victor Hugo" in text
    assert "Le site" not in text and "Mots-clés" not in text


def test_prune_chrome_spares_what_holds_the_anchors_and_page_wrappers():
    html = ("<html><body><div class='header-and-everything'><h1>Titre</h1><p>Texte.</p></div>"
            "<div class='sidebar'>" + "<p>Long texte de la page. </p>" * 30
            + "</div></body></html>")
    tree = parse_html(html, "page.html")
    prune_chrome(tree, [next(tree.iter("h1"))])
    assert tree.xpath("//div[@class='header-and-everything']")
    assert tree.xpath("//div[@class='sidebar']")  # most of the page's text: a wrapper


def test_chrome_the_page_hides_in_print_signatures_and_reactions_are_pruned():
    """MediaWiki's "[réf. nécessaire]" and edit links are `noprint`; a public-TV site's byline
    is a `c-signature`; French sites call their comments "réactions"."""
    long = "Un paragraphe assez long pour passer pour de la prose d’article, " * 3
    html = ("<html><body><article><h1>Titre</h1><p>Texte<sup class='noprint Template-Fact'>"
            f"[réf. nécessaire]</sup>.</p><p>{long * 3}</p><div class='c-signature'><p>France "
            f"Télévisions</p></div></article><section class='reactions'><p>Breizh35 : {long}</p>"
            f"<p>{long}</p></section></body></html>")
    tree = parse_html(html, "page.html")
    prune_chrome(tree, [next(tree.iter("h1"))])
    text = comparable(tree.text_content())
    assert "Texte." in text and "Un paragraphe assez long" in text
    for gone in ("réf. nécessaire", "France Télévisions", "Breizh35"):
        assert gone not in text, gone


@pytest.mark.parametrize("html, gone, kept", [
    # a newsletter's footnotes, a radio's music playlist, a portal's investment disclaimer
    ("<div class='footnote'><a href='#fa1'>1</a><div class='footnote-content'><p>Article L. 230 "
     "du code rural.</p></div></div>", "code rural", None),
    ("<section class='Playlist'><h2>Programmation musicale</h2><ul><li>Camille – Les ruches</li>"
     "</ul></section>", "Programmation musicale", None),
    ("<div class='c-disclaimer'><p>Investir en bourse comporte un risque de perte en capital.</p>"
     "</div>", "Investir en bourse", None),
    # a heading named for what it is ("header-anchor-post") is no page header; its "Lien"
    # anchor button is chrome
    ("<h2 class='header-anchor-post'>Qui cuisine ?<div class='header-anchor-parent'><button>Lien"
     "</button></div></h2>", "Lien", "Qui cuisine ?"),
    # a data table's box goes with its label; a table of prose (a layout) and its box stay
    ("<div class='box'><p>Valeurs associées</p><table><tr><td>AIRBUS</td><td>+5,36 %</td></tr>"
     "</table></div>", "Valeurs associées", None),
    ("<div class='box'><p>Mise en page</p><table><tr><td><p>{long}{long}</p><p>{long}{long}</p>"
     "</td></tr></table></div>", None, "Mise en page"),
    # a picture in a definition list (SPIP's documents) and its pull-quote title; a glossary
    # without a picture stays
    ("<dl class='spip_documents'><dt><img src='a.jpg' alt=''></dt><dt class='spip_doc_titre'>« "
     "Les débats publics sont des leurres démocratiques. »</dt></dl>", "leurres", None),
    ("<dl><dt>CNDP</dt><dd>Commission nationale du débat public</dd></dl>", None,
     "Commission nationale du débat public"),
    # a label ending with a colon goes with the box of links it introduces; one before prose stays
    ("<h3>Pour ne rien rater de l’actualité politique :</h3><div><h3>Lire aussi :</h3><p><a "
     "href='/a'>Présidence de l’Assemblée, le fil des événements</a></p></div>",
     "Pour ne rien rater", None),
    ("<h3>Ce qu’il faut savoir :</h3><p>{long}</p>", None, "Ce qu’il faut savoir :"),
    # a recap box listing the article's own headings (Les Echos' ticker), a table of contents;
    # a list whose items are not headings stays
    ("<div><h3>9h00 - Les principales infos de ce matin</h3><p>&gt; Titre de la grève des "
     "contrôleurs</p><p>JO-2024 : le Village olympique est ouvert</p><p>&gt; Un autre article "
     "ailleurs</p></div><p><strong>8h25 - JO-2024 : le Village olympique est ouvert</strong></p>"
     "<h2>Titre de la grève des contrôleurs</h2>", "Les principales infos", "Village olympique"),
    ("<ul><li>Le Village olympique est ouvert</li><li>Les athlètes arrivent demain</li></ul>"
     "<h2>Les athlètes</h2>", None, "Les athlètes arrivent demain"),
])
def test_more_chrome_is_pruned(html, gone, kept):
    long = "Un paragraphe assez long pour passer pour de la prose d’article, " * 3
    page = (f"<html><body><article><h1>Titre</h1><p>{long * 4}</p>"
            f"{html.format(long=long)}</article></body></html>")
    tree = parse_html(page, "page.html")
    prune_chrome(tree, [next(tree.iter("h1"))])
    text = comparable(tree.text_content())
    assert "Un paragraphe assez long" in text
    assert gone is None or gone not in text
    assert kept is None or kept in text


@pytest.mark.parametrize("label, expected", [
    ("Je m’abonne", True),
    ("abonnez-vous gratuitement", True),
    ("S’inscrire à la lettre →", True),
    ("Faire un don", True),
    # a long label starting like one is a sentence, and a label must start with the action
    ("S’inscrire sur les listes électorales avant le 6 février", False),
    ("Pourquoi s’abonner ?", False),
    ("Abonnements", False),
])
def test_is_action(label, expected):
    assert is_action(label, packaged_chrome().actions) is expected


@pytest.mark.parametrize("html, left", [
    # SPIP: a span around brackets and the link; MediaWiki: a <sup> around a bracketed link
    ("<p>Un mot&nbsp;<span class='spip_note_ref'>&nbsp;[<a href='#nb1' class='spip_note'>1</a>]"
     "</span>. Suite.</p>", "Un mot . Suite."),
    ("<p>mixte<sup id='cite_ref-1' class='reference'><a href='#cite_note-1'><span>[</span>1"
     "<span>]</span></a></sup>.</p>", "mixte."),
    ("<p>Texte<sup><a href='#fn3'>3</a></sup> et suite.</p>", "Texte et suite."),
    # a bracketed number that links nowhere, a link to another page, a link with words stay
    ("<p>la section [37] a estimé</p>", "la section [37] a estimé"),
    ("<p>voir <a href='/page/2'>2</a></p>", "voir 2"),
    ("<p><a href='#haut'>Haut de page</a></p>", "Haut de page"),
])
def test_footnote_calls_are_removed(html, left):
    tree = parse_html(f"<html><body>{html}</body></html>", "page.html")
    remove_footnote_calls(tree)
    assert comparable(tree.text_content()) == left


@pytest.mark.parametrize("head, body, expected", [
    # the site's name after the headline in <title>
    ("<title>Viaduc de la Sioule — Wikipédia</title>", "<h1>Viaduc de la Sioule</h1>",
     "Viaduc de la Sioule"),
    ('<meta property="og:title" content="À Arles, la photographe des bergères">',
     "<h1>À Arles, la photographe des bergères</h1>", "À Arles, la photographe des bergères"),
    # a JSON-LD headline typed with straight quotes
    ('<script type="application/ld+json">{"@type":"NewsArticle","headline":"L\'école sauvée '
     'de justesse"}</script>', "<h1>L’école sauvée de justesse</h1>",
     "L’école sauvée de justesse"),
    # a regional title puts the place or the rubric first
    ("<title>Quimperlé. Conseil municipal : la piscine rouvrira en juin</title>",
     "<h1>Conseil municipal : la piscine rouvrira en juin</h1>",
     "Conseil municipal : la piscine rouvrira en juin"),
    ("<title>Faits divers | Un homme blessé à Aubervilliers</title>",
     "<h1>Un homme blessé à Aubervilliers</h1>", "Un homme blessé à Aubervilliers"),
    # a longer prefix is a sentence, no place; a prefix without separator is no label
    ("<title>Ce que nous apprend le rapport. Un homme blessé à Aubervilliers</title>",
     "<h1>Un homme blessé à Aubervilliers</h1>", None),
    ("<title>Pourquoi un homme blessé à Aubervilliers</title>",
     "<h1>Un homme blessé à Aubervilliers</h1>", None),
    # a logo in the <h1>, a heading the titles do not begin with, no <h1>
    ("<title>Le Site - Un article sur autre chose</title>", "<h1>Le Site</h1>", None),
    ("<title>Un article sur autre chose</title>", "<h1>Les plus lus du jour</h1>", None),
    ("<title>Un article sur autre chose</title>", "<h2>Un article sur autre chose</h2>", None),
])
def test_headline(head, body, expected):
    tree = parse_html(f"<html><head>{head}</head><body>{body}</body></html>", "p.html")
    found = headline(tree)
    assert (comparable(found.text_content()) if found is not None else None) == expected


def test_what_comes_before_the_headline_is_pruned():
    """A rubric label, a scoreboard, a player's controls before the <h1> are not read; a
    standfirst placed above it (an anchor) and prose are."""
    prose = "<p>" + "Un long paragraphe d’article placé avant le titre par la mise en page. " * 3
    prose += "</p>"
    html = ("<html><head><title>Rennes bat Nantes dans le derby | Site</title></head><body>"
            "<div class='score'><span>Rennes</span> 2-1 <span>Nantes</span><p>Arbitre : M. T.</p>"
            "</div><main><p class='kicker'>Football</p><p class='chapo' id='chapo'>Le chapô "
            f"placé au-dessus du titre.</p><div id='prose'>{prose}{prose}</div><header>"
            "<span>Direct</span><h1>Rennes bat Nantes dans le derby</h1></header><p>Le texte.</p>"
            "</main></body></html>")
    tree = parse_html(html, "page.html")
    heading = headline(tree)
    prune_before_headline(tree, heading, [tree.get_element_by_id("chapo")])
    text = comparable(tree.text_content())
    for gone in ("Arbitre", "Football", "Direct", "2-1"):
        assert gone not in text, gone
    for kept in ("Le chapô", "placé avant le titre", "Rennes bat Nantes dans le derby",
                 "Le texte."):
        assert kept in text, kept
    # no headline, nothing pruned
    tree = parse_html(html.replace("<h1>", "<h2>").replace("</h1>", "</h2>"), "page.html")
    assert prune_before_headline(tree, headline(tree)) == 0


ESSENTIEL = ("<div class='box'><h2>L’essentiel</h2><ul><li>Premier point du résumé.</li>"
             "<li>Second point, <b>en gras</b>.</li></ul></div>")


@pytest.mark.parametrize("body, expected", [
    ("<h1>Titre</h1>" + ESSENTIEL + "<p>Corps.</p>",
     [("heading", "L’essentiel"), ("list_item", "Premier point du résumé."),
      ("list_item", "Second point, en gras.")]),
    # the label as a paragraph with its points as paragraphs, "Ce qu'il faut retenir :"
    ("<h1>Titre</h1><div><p><strong>Ce qu'il faut retenir :</strong></p><p>Un point.</p></div>",
     [("heading", "Ce qu'il faut retenir"), ("list_item", "Un point.")]),
    # before the headline (a site menu), too long to be a box, no points: not a summary
    (ESSENTIEL + "<h1>Titre</h1><p>Corps.</p>", []),
    ("<h1>Titre</h1><div><h2>L’essentiel</h2>" + "<p>Un long paragraphe.</p>" * 120 + "</div>",
     []),
    ("<h1>Titre</h1><div><h2>L’essentiel</h2></div><p>Corps.</p>", []),
])
def test_summary_box(body, expected):
    tree = parse_html(f"<html><body>{body}</body></html>", "p.html")
    found = summary_box(tree, next(tree.iter("h1")))
    assert [(b.kind, b.text) for b in found] == expected


# --- evidence -----------------------------------------------------------------------------------

@pytest.mark.parametrize("head, body, expected", [
    # the description typed with straight quotes, the page with typographic ones
    ('<meta name="description" content="L\'eau, c\'est la vie des sols agricoles du plateau.">',
     ('<h1>T</h1><div class="x"><p>L’eau, c’est la vie des sols agricoles du plateau. '
      'Suite.</p></div>'),
     "L’eau, c’est la vie des sols agricoles du plateau. Suite."),
    # a description cut short with an ellipsis
    ('<meta property="og:description" content="Après six ans de chantier, la première tranche...">',
     '<h1>T</h1><span class="sc-x">Après six ans de chantier, la première tranche ouvre.</span>',
     "Après six ans de chantier, la première tranche ouvre."),
    # a description repeating the title: the block holding the heading is no standfirst
    ('<meta name="description" content="Le titre de la page, assez long pour compter ici">',
     ('<div class="top"><h1>Le titre de la page, assez long pour compter ici</h1>'
      '<p>Une autre phrase.</p></div>'), None),
    ('<meta name="description" content="Le titre de la page, assez long pour compter ici">',
     ('<h1>Le titre de la page, assez long pour compter ici</h1>'
      '<p>Le titre de la page, assez long pour compter ici</p>'), None),
    # no description: a chapô named as such right after the heading
    ("", ('<h1>T</h1><p class="article__desc">Dans un rapport publié mercredi, la Cour pointe '
          'la saturation des urgences.</p><p>Corps.</p>'),
     "Dans un rapport publié mercredi, la Cour pointe la saturation des urgences."),
    # a named element too far from the heading, or too short, is not one
    ("", ('<h1>T</h1><p>a</p><p>b</p><p>c</p><p>d</p><p class="chapo">Un chapô bien trop '
          'loin du titre pour en être un vraiment.</p>'), None),
    ("", '<h1>T</h1><p class="intro">Court.</p>', None),
])
def test_standfirst(head, body, expected):
    tree = parse_html(f"<html><head>{head}</head><body>{body}</body></html>", "p.html")
    found = standfirst(tree, next(tree.iter("h1"), None))
    assert (comparable(found.text_content()) if found is not None else None) == expected


@pytest.mark.parametrize("body, expected", [
    ("Premier paragraphe, qui se termine.\nUn intertitre court\nDeuxième paragraphe.",
     [("paragraph", "Premier paragraphe, qui se termine."), ("heading", "Un intertitre court"),
      ("paragraph", "Deuxième paragraphe.")]),
    (("<p>Un paragraphe.</p><h2>Intertitre</h2><ul><li>un <b>point</b></li></ul>"
      "<blockquote><p>Une citation.</p></blockquote>"),
     [("paragraph", "Un paragraphe."), ("heading", "Intertitre"), ("list_item", "un point"),
      ("quote", "Une citation.")]),
])
def test_blocks_from_jsonld_article_body(body, expected):
    assert [(b.kind, b.text) for b in blocks_from_jsonld(body)] == expected


@pytest.mark.parametrize("html", [
    # comments and processing instructions beside the heading (lxml's text_content refuses them)
    "<html><body><!-- c --><h1>Titre</h1><!-- d --><?pi x?><p>{text}</p></body></html>",
    # JSON-LD that is not what it claims: a number as body, nesting beyond reason, empty HTML
    '<html><head><script type="application/ld+json">{{"@type":["NewsArticle"],"articleBody":42,'
    '"description":null}}</script><script type="application/ld+json">' + "[" * 100000
    + '</script></head><body><h1>Titre</h1><p>{text}</p></body></html>',
    '<html><head><script type="application/ld+json">{{"@type":"NewsArticle",'
    '"articleBody":"<p></p>"}}</script></head><body><h1>Titre</h1><p>{text}</p></body></html>',
])
def test_odd_pages_read_their_text(html):
    text = "Un texte assez long pour être retenu comme le corps de l’article. " * 6
    article = read_html(html.format(text=text), "odd.html")
    assert [b.kind for b in article.blocks] == ["title", "paragraph"]
    assert article.blocks[1].text == text.strip()


@pytest.mark.parametrize("head", [
    "<title>Rennes - Nantes (2-1) : le derby pour Rennes | Sport Ouest</title>",
    # trafilatura takes a live page's last update for its title
    ('<script type="application/ld+json">{"@type":"LiveBlogPosting","headline":"Rennes - Nantes '
     '(2-1) : le derby pour Rennes","liveBlogUpdate":[{"@type":"BlogPosting","headline":'
     '"C\'est terminé !","articleBody":"Rennes gagne."}]}</script>'),
])
def test_the_title_is_the_headline_without_the_site_name(head):
    text = "Un texte assez long pour être retenu comme le corps de l’article. " * 6
    html = (f"<html><head>{head}</head><body><h1>Rennes - Nantes (2-1) : le derby pour Rennes"
            f"</h1><p>{text}</p></body></html>")
    article = read_html(html, "live.html")
    assert article.meta.title == "Rennes - Nantes (2-1) : le derby pour Rennes"
    assert [b.kind for b in article.blocks] == ["title", "paragraph"]


def test_jsonld_body_is_found_in_graphs_and_lists():
    html = ('<html><head><script type="application/ld+json">[{"@type":"BreadcrumbList"},'
            '{"@graph":[{"@type":"NewsArticle","articleBody":"Le texte complet de l’article."}]}]'
            '</script><script type="application/ld+json">{not json</script></head>'
            '<body><h1>T</h1></body></html>')
    evidence = gather(parse_html(html, "p.html"))
    assert [b.text for b in evidence.jsonld] == ["Le texte complet de l’article."]


P = [Block("paragraph", f"Le paragraphe numéro {n} de l’article, avec assez de mots pour compter "
                        "comme un vrai paragraphe de presse, qui développe une idée, cite une "
                        "source et s’achève sur une phrase de transition.") for n in range(4)]
FOOTNOTED = Block("paragraph", P[0].text.replace("article,", "article [1],"))
TEASER = Block("paragraph", "Un autre article du site que le lecteur pourrait aimer lire aussi.")
SUMMARY = [Block("heading", "L’essentiel"), Block("list_item", "Le premier point à retenir.")]


@pytest.mark.parametrize("blocks, evidence, expected", [
    # the extraction missed most of the JSON-LD body (a client-rendered page): replaced
    ([TEASER], Evidence(jsonld=P), P),
    # the JSON-LD body holds the extraction but a teaser: the teaser is vetoed
    ([P[0], TEASER, P[1], P[2], P[3]], Evidence(jsonld=P), P),
    # a footnote call inside a paragraph does not make it missing from the JSON-LD body
    ([FOOTNOTED] + P[1:], Evidence(jsonld=P), [FOOTNOTED] + P[1:]),
    # a standfirst the extraction missed is read first; one it has is not repeated
    (P[:2], Evidence(standfirst="Le chapô de l’article."),
     [Block("paragraph", "Le chapô de l’article.")] + P[:2]),
    (P[:2], Evidence(standfirst=P[0].text), P[:2]),
    # a JSON-LD "body" shorter than the extraction (a summary) replaces nothing
    (P, Evidence(jsonld=[Block("paragraph", "Un résumé de l’article en une phrase.")]), P),
    # no evidence: the extraction stands
    ([TEASER] + P, Evidence(), [TEASER] + P),
    # a summary box the extraction missed is read after the standfirst; one it has is not repeated
    (P[:2], Evidence(standfirst="Le chapô.", summary=SUMMARY),
     [Block("paragraph", "Le chapô.")] + SUMMARY + P[:2]),
    (P[:2], Evidence(summary=SUMMARY), SUMMARY + P[:2]),
    (SUMMARY + P[:2], Evidence(summary=SUMMARY), SUMMARY + P[:2]),
])
def test_combine(blocks, evidence, expected):
    assert combine(blocks, evidence) == expected


@pytest.mark.parametrize("recall, confirmed, expected", [
    # recall-only blocks before the first and after the last confirmed one go; inside stay
    ([TEASER, P[0], P[1], P[2], TEASER], [[P[0]], [P[2]]], [P[0], P[1], P[2]]),
    ([P[0], P[1]], [[], []], [P[0], P[1]]),
    ([TEASER], [[P[0]], []], [TEASER]),
    # the stricter modes took another part of the page: recall stands
    ([P[0], P[1], P[2], TEASER], [[TEASER]], [P[0], P[1], P[2], TEASER]),
])
def test_merge_modes(recall, confirmed, expected):
    assert merge_modes(recall, confirmed) == expected


# --- pages nested too deep (issue 12, item 6) ----------------------------------------------------

def deep_page(levels: int, wrapper: str = "div") -> str:
    paragraphs = "".join(f"<p>Paragraphe {n} de l’article profond, assez long pour être retenu "
                         "par l’extracteur comme texte principal de la page.</p>" for n in range(5))
    return ("<html lang='fr'><head><title>Une page profonde</title></head><body>"
            + f"<{wrapper}>" * levels + f"<article><h1>Une page profonde</h1>{paragraphs}</article>"
            + f"</{wrapper}>" * levels + "</body></html>")


@pytest.mark.parametrize("levels", [250, 300, 2000, 5000])
def test_a_page_nested_deeper_than_the_parser_limit_is_read(levels):
    # libxml2 stops at 256 levels (2048 when the page may be huge): without the retries the
    # article below that depth was lost ("no article text found")
    article = read_html(deep_page(levels), "deep.html")
    paragraphs = [b.text for b in article.blocks if b.kind == "paragraph"]
    assert len(paragraphs) == 5
    assert paragraphs[4].startswith("Paragraphe 4 de l’article profond")


def test_wrappers_are_kept_up_to_the_huge_limit_then_dropped():
    assert len(parse_html(deep_page(2000), "deep.html").xpath("//div")) == 2000
    assert parse_html(deep_page(5000), "deep.html").xpath("//div") == []


def test_a_page_too_deep_even_without_wrappers_says_why():
    with pytest.raises(InputError) as caught:
        read_html(deep_page(3000, "blockquote"), "deep.html")
    assert str(caught.value) == (
        "deep.html: the page nests its elements more than 2048 levels deep, even without its "
        "<div> and <span> wrappers, beyond what the HTML parser reads; save the article's text "
        "as .txt or .md and convert that")


@pytest.mark.parametrize("html, expected", [
    ("<div class='a'><span>Un</span> mot</div><div>Deux</div>", "Un mot<br>Deux<br>"),
    ("<SECTION><p>Texte</p></SECTION><font color=red>rouge</font>", "<p>Texte</p><br>rouge"),
    ("<divider>garde</divider><p>p</p>", "<divider>garde</divider><p>p</p>"),
])
def test_flatten_wrappers(html, expected):
    assert flatten_wrappers(html) == expected
