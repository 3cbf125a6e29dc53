"""Boilerplate rules as data: drop a line, cut from a marker to the end, drop teaser blocks."""

from __future__ import annotations

import pytest

from audioarticles.clean import clean, load_rules
from audioarticles.errors import UsageError
from audioarticles.extract import read_file, read_plain_text
from conftest import SAMPLE

SEED_TITLE = "L’IA, fil conducteur de la 4ᵉ Journée nationale de l’innovation en santé numérique"
SEED_HEADINGS = [
    "France 2030, une approche systémique de l’innovation",
    "Une gouvernance ouverte et collaborative",
    "Pr Fabrice André : « L’IA générative sera le cœur de la recherche clinique de demain »",
]
# The start of every body paragraph and list item of the seed article, in order.
SEED_BODY = [
    ("paragraph", "La ministre de la Santé, des Familles"),
    ("paragraph", "Fruit d’une large concertation"),
    ("paragraph", "Elle a également évoqué l’intégration prochaine"),
    ("heading", "France 2030, une approche systémique"),
    ("paragraph", "Le secrétaire général pour l’investissement"),
    ("paragraph", "Dans le champ de la santé numérique, 32 actions"),
    ("paragraph", "Bruno Bonnell a mis en avant deux réussites majeures :"),
    ("list_item", "La formation : 70 000 étudiants"),
    ("list_item", "L’innovation : 22 projets de recherche"),
    ("paragraph", "« Nous ne voulons pas d’une recherche"),
    ("heading", "Une gouvernance ouverte et collaborative"),
    ("paragraph", "Enfin, Hela Ghariani"),
    ("paragraph", "Dans le cadre de la stratégie nationale IA"),
    ("heading", "Pr Fabrice André : « L’IA générative"),
    ("paragraph", "Directeur de la recherche à l’Institut Gustave Roussy"),
    ("paragraph", "Selon lui, le principal frein actuel"),
    ("paragraph", "Pour revitaliser la recherche"),
    ("paragraph", "Dans ce contexte, les IA génératives"),
    ("list_item", "L’analyse de cohortes de patients similaires"),
    ("list_item", "L’exploitation automatisée des bases de données"),
    ("list_item", "La simulation, grâce à la modélisation numérique"),
    ("paragraph", "« Le centre de la recherche clinique du futur"),
]


@pytest.fixture(scope="module")
def seed():
    return clean(read_file(SAMPLE, "samples/ia-sante-numerique.txt"), load_rules())


def test_seed_keeps_title_every_body_block_three_headings_and_five_list_items(seed):
    assert seed.blocks[0].kind == "title" and seed.blocks[0].text == SEED_TITLE
    assert seed.meta.title == SEED_TITLE
    body = seed.blocks[1:]
    assert len(body) == len(SEED_BODY)
    for block, (kind, start) in zip(body, SEED_BODY):
        assert (block.kind, block.text[:len(start)]) == (kind, start)
    assert [b.text for b in seed.blocks if b.kind == "heading"] == SEED_HEADINGS
    assert sum(b.kind == "list_item" for b in seed.blocks) == 5
    # the closing words of the last body paragraph are still there
    assert body[-1].text.endswith("évoquant une nouvelle ère de médecine individualisée.")


def test_seed_loses_all_boilerplate_and_teasers(seed):
    text = "\n".join(b.text for b in seed.blocks)
    for boilerplate in ("Publicité en cours de chargement", "Écouter l'article",
                        "Avez-vous apprécié ce contenu", "A lire également", "RGPD chez France Travail",
                        "02 fév. 2026", "Tribune", "La Poste Ventures", "Onco’Link",
                        "Le CHU de Bordeaux", "Rédaction, DSIH"):
        assert boilerplate not in text


def test_teasers_are_dropped_even_without_a_marker():
    text = SAMPLE.read_text(encoding="utf-8").replace("A lire également.\n", "")
    cleaned = clean(read_plain_text(text, "s.txt"), load_rules())
    joined = "\n".join(b.text for b in cleaned.blocks)
    assert "évoquant une nouvelle ère de médecine individualisée." in joined
    for teaser in ("RGPD chez France Travail", "Tribune", "amende de 5 millions", "La Poste Ventures",
                   "Actualité", "Yooli", "Onco’Link", "Unicancer", "CHU de Bordeaux", "5MART"):
        assert teaser not in joined
    assert len(cleaned.blocks) == 1 + len(SEED_BODY)


@pytest.mark.parametrize("line", [
    "Publicité en cours de chargement...",
    "Écouter l'article",
    "Écouter l’article",
    "Avez-vous apprécié ce contenu ?",
    "Lire aussi : Le CHU de Bordeaux lance un projet 5G",
    "À lire aussi | Les questions de fond",
    "Accueil > Actualités et humeurs > Décisions de l’AG",
    "Vous êtes ici : Accueil > Émissions",
    "Par Jacques Munier",
    "Propos recueillis par Jeanne d’Arc",
    "Photo (cc) : svenwerk",
    "Image illustrative : Lots of Lego Minifigures by Ninja Brick",
    "Crédit photo : AFP",
    "© AFP 2026",
    "mercredi 11 septembre 2019",
    "Publié le 2 février 2026 à 10h34",
    "Partager cet article",
    "Abonnez-vous à notre newsletter",
    # a newsroom asking readers to write, and its channels
    "Une remarque, une suggestion ? Écrivez-nous",
    "Vous avez repéré une erreur ou une coquille ? Signalez-la à notre rédaction.",
    "Un témoignage, une info à nous faire partager ? Contactez-nous.",
    "Une info à nous signaler ? Écrivez à la rédaction de France Bleu Armorique.",
    "Une question sur votre quartier ? Contactez-nous par mail.",
    "Vous avez une information à nous transmettre ? Contactez la rédaction du Quotidien d’IDF.",
    "Retrouvez toute l’actualité de la station sur notre chaîne WhatsApp.",
    "Suivez-nous sur notre compte Instagram",
    "Source : AFP",
    "Sources : Insee, Dares",
    "Vidéo : les images des crues à Saint-Omer",
    "VIDÉO. Ligne 14 : nous avons testé le trajet Orly - Saint-Denis",
    "Cet article vous a été utile ? Partagez-le !",
    # credits of a map, dates in figures, a toggle's label
    "Source : Insee, recensements de la population. Infographie : Léo Charrière.",
    "Photos et vidéos : Inès Moreau. Textes : Thomas Vuillet",
    "Publié le 30/11/2026 13:42 Mis à jour le 30/11/2026 14:05",
    "Publié le 30/11/2026 à 07h15 · Modifié le 30/11/2026 à 09h40",
    "Voir la transcription du reportage",
    "Lire la suite",
    "Afficher plus",
    # an agency's desk signature, affiliate disclosures
    "tsq-abc/ito/cbn",
    "jmi/bow",
    "pyv/ib/LyS",
    "Ce lien est affilié : si vous achetez par lui, je touche une petite commission, sans "
    "surcoût pour vous.",
    "Cet article contient des liens affiliés : nous pouvons percevoir une rémunération en cas "
    "d’achat.",
    "En tant que Partenaire Amazon, je réalise un bénéfice sur les achats remplissant les "
    "conditions requises.",
    # a paywall's count and notice, reading times, a bracketed call to subscribe (real pages:
    # Le Monde, Reporterre, The Conversation)
    "Il vous reste 57.09% de cet article à lire. La suite est réservée aux abonnés.",
    "Il vous reste 80 % de l’article à lire",
    "La suite est réservée aux abonnés. Déjà abonné ? Se connecter",
    "Article réservé à nos abonnés",
    "Durée de lecture : 12 minutes",
    "Temps de Lecture 4 min.",
    "Lecture : 3 min",
    "4 min de lecture",
    "[Près de 80 000 lecteurs font confiance à la newsletter de The Conversation pour mieux "
    "comprendre les grands enjeux du monde. Abonnez-vous aujourd’hui]",
    "[Recevez chaque semaine notre lettre d’information : inscrivez-vous ici.]",
])
def test_packaged_drop_rules(line):
    assert any(p.fullmatch(line) for p in load_rules().drop_lines)


@pytest.mark.parametrize("line", [
    "Par ailleurs, la ministre a rappelé l’importance des données.",
    "Le 11 septembre 2019, la grève a commencé dans plusieurs lycées.",
    "La photo : un outil de communication politique depuis longtemps, selon l’auteur qui signe.",
    "Partager les données de santé reste un défi pour les hôpitaux.",
    "Une gouvernance ouverte et collaborative",
    # instructions inside a story name no newsroom
    "Vous voyez un frelon asiatique ? Signalez-le sur la plateforme de la préfecture.",
    "En cas de violence, contactez le 3919, un numéro gratuit et anonyme.",
    "Les victimes peuvent écrire au procureur de la République.",
    "Le ministre a écrit à la rédaction du journal pour démentir.",
    "Selon une source proche du dossier, la décision est attendue lundi.",
    "La vidéo a été vue plus de deux millions de fois en une journée.",
    "Le 30/11/2026, le conseil a voté le budget.",
    "Lire la suite de ses mémoires lui prendra des mois.",
    "Photos : la ville sous la neige, un spectacle rare que les habitants ont immortalisé.",
    # slashes in text, and affiliation as news
    "24h/24",
    "Le rapport 2025/2026 est attendu en mars.",
    "Les liens affiliés rapportent aux sites de presse une commission de 5 à 8 %.",
    "Le comparateur, affilié à un groupe bancaire, touche une commission sur chaque prêt.",
    # what is left, reading and subscribers as news; a bracketed aside calling for nothing
    "Il vous reste trois jours pour vous inscrire sur les listes électorales.",
    "La lecture du verdict a duré 40 minutes.",
    "Le club réservé aux abonnés du stade a ouvert en mars.",
    "[Il a précisé que la newsletter de la mairie resterait gratuite.]",
])
def test_packaged_drop_rules_keep_body_text(line):
    assert not any(p.fullmatch(line) for p in load_rules().drop_lines)


@pytest.mark.parametrize("line, marker", [
    ("Réactions (23)", True),
    ("48 commentaires", True),
    ("Commentaires (2)", True),
    ("Notes et références", True),
    ("Voir aussi", True),
    ("Liens externes", True),
    ("Bibliographie", True),
    # a section of the story about reactions, notes of a meeting
    ("Les réactions", False),
    ("Réactions politiques", False),
    ("Notes de réunion : ce que dit le compte rendu", False),
])
def test_packaged_cut_markers(line, marker):
    assert any(p.fullmatch(line) for p in load_rules().cut_from) is marker


@pytest.mark.parametrize("title, expected", [
    ("VIDEO. Dans les Alpes, des saisonniers dorment dans leur voiture",
     "Dans les Alpes, des saisonniers dorment dans leur voiture"),
    ("DIRECT. Crues : la vigilance rouge levée", "Crues : la vigilance rouge levée"),
    ("[VIDÉO] Le tunnelier achève son creusement", "Le tunnelier achève son creusement"),
    ("Infographie : le budget en un coup d’œil", "le budget en un coup d’œil"),
    # no label, or nothing after it
    ("Vidéosurveillance : la ville s’équipe", "Vidéosurveillance : la ville s’équipe"),
    ("Direct de l’Assemblée nationale", "Direct de l’Assemblée nationale"),
    ("VIDÉO.", "VIDÉO."),
])
def test_a_title_loses_its_format_label(title, expected):
    text = f"{title}\n\nUn paragraphe de l’article.\n"
    cleaned = clean(read_plain_text(text, "t.txt"), load_rules())
    assert cleaned.blocks[0].kind == "title"
    assert cleaned.blocks[0].text == cleaned.meta.title == expected


def test_a_marker_in_the_first_half_is_dropped_alone():
    text = ("Titre\n\nUn premier paragraphe assez court.\nA lire aussi.\n"
            + "Un long paragraphe du corps de l’article qui continue après l’encart. " * 5 + "\n")
    cleaned = clean(read_plain_text(text, "a.txt"), load_rules())
    assert [b.kind for b in cleaned.blocks] == ["title", "paragraph", "paragraph"]


def test_project_rules_add_to_the_packaged_ones(tmp_path):
    (tmp_path / "boilerplate.toml").write_text(
        "drop_lines = ['(?i)newsletter santé.*']\ncut_from = ['Sur le web']\n"
        "[teasers]\nstamp = ['Publié il y a \\d+ heures']\nrubric_max_words = 1\n", encoding="utf-8")
    rules = load_rules(tmp_path)
    text = ("Titre\n\nNewsletter santé : inscrivez-vous\nLe premier paragraphe est le corps.\n"
            "Un autre titre d’article\nPublié il y a 3 heures\nBrève\nSon résumé tronqué...\n"
            + "Le second paragraphe du corps de l’article, assez long. " * 4 + "\n"
            "Sur le web\nUn lien vers ailleurs.\n")
    cleaned = clean(read_plain_text(text, "a.txt"), rules)
    assert [b.text[:20] for b in cleaned.blocks] == ["Titre", "Le premier paragraph",
                                                      "Le second paragraphe"]
    assert rules.rubric_max_words == 1
    assert len(rules.drop_lines) > 1


@pytest.mark.parametrize("content, message", [
    ("drop_lines = ['(unclosed']",
     'boilerplate.toml: drop_lines[0] = "(unclosed": not a regular expression (missing ), '
     "unterminated subpattern at position 0); fix the pattern"),
    ("drop_lines = 'not a list'",
     'boilerplate.toml: drop_lines = "not a list": expected a list of texts, e.g. ["..."]'),
    ("teasers = 3", "boilerplate.toml: teasers = 3: expected a table; write [teasers] on a "
                    "line of its own, its keys below"),
    ("drop_lines = [", "not valid TOML"),
])
def test_bad_project_rules_are_usage_errors(tmp_path, content, message):
    (tmp_path / "boilerplate.toml").write_text(content, encoding="utf-8")
    with pytest.raises(UsageError) as error:
        load_rules(tmp_path)
    assert message in str(error.value)
