"""French normalisation for speech: one golden table per rule family, examples from real
French news text (most from the corpus: the seed article and the four saved pages)."""

from __future__ import annotations

import random
import re

import pytest
from num2words import num2words

from audioarticles.errors import UsageError
from audioarticles.normalise import normaliser
from audioarticles.normalise.fr import dates, lexicon, money, normalise, numbers, ordinals
from audioarticles.normalise.fr import typography, units, web
from audioarticles.normalise.fr.lexicon import load_lexicon

LEX = load_lexicon()


def table(*rows):
    """pytest ids that show the input."""
    return pytest.mark.parametrize("written, spoken", rows, ids=[r[0][:40] for r in rows])


# --- Unicode and typography -------------------------------------------------------------------

@table(
    ("7\u00a0800 projets", "7 800 projets"),
    ("12\u202f%", "12 %"),
    ("vingt\u2009ans", "vingt ans"),
    ("l\u2019IA", "l\u2019IA"),
)
def test_plain_spaces(written, spoken):
    assert typography.plain_spaces(written) == spoken


@table(
    ("L\u2019IA, fil conducteur de la 4\u1d49 Journée", "L'IA, fil conducteur de la 4e Journée"),
    ("le 1\u1d49\u02b3 janvier", "le 1er janvier"),
    ("la 1\u02b3\u1d49 fois", "la 1re fois"),
    ("les 2\u1d49\u02e2 places", "les 2es places"),
    ("M\u1d50\u1d49 Rist", "Mme Rist"),
    ("le XXI\u1d49 siècle", "le XXIe siècle"),
    ("d\u2018abord", "d'abord"),
)
def test_plain_letters(written, spoken):
    assert typography.plain_letters(written) == spoken


@table(
    ("« la France avance »", "la France avance"),
    ("du langage – l’étude des interactions – pour", "du langage, l’étude des interactions, pour"),
    ("- La formation : 70 000 étudiants", "La formation: 70 000 étudiants"),
    ("• un point", "un point"),
    ("“appels à projets” court-termistes", "appels à projets court-termistes"),
    ("Macron se dit “calme et déterminé”", "Macron se dit calme et déterminé"),
    ("RGPD — les questions de fond", "RGPD, les questions de fond"),
    ("* Il a également été constaté", "Il a également été constaté"),
)
def test_quiet_punctuation(written, spoken):
    assert typography.tidy(typography.quiet_punctuation(written)) == spoken


@table(
    ("Les auteurs français [4] accèdent", "Les auteurs français accèdent"),
    ("des « financements récurrents […] en rupture", "des « financements récurrents en rupture"),
    ("la liste (...) complète", "la liste complète"),
)
def test_drop_footnote_calls(written, spoken):
    assert typography.tidy(typography.drop_footnote_calls(written)) == spoken


@table(
    ("chercheur·euse·s", "chercheuses et chercheurs"),
    ("chercheur·eus·e·s", "chercheuses et chercheurs"),
    ("étudiant·e·s", "étudiantes et étudiants"),
    ("acteur·rice·s", "actrices et acteurs"),
    ("citoyen·ne·s", "citoyennes et citoyens"),
    ("un·e élu·e", "une et un élue et élu"),
    ("tous·tes", "toutes et tous"),
)
def test_inclusive_writing(written, spoken):
    assert typography.say_inclusive_writing(written) == spoken


# --- numbers ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value, feminine, words", [
    (0, False, "zéro"), (1, False, "un"), (1, True, "une"), (21, True, "vingt et une"),
    (71, False, "soixante et onze"), (80, False, "quatre-vingts"), (81, True, "quatre-vingt-une"),
    (101, True, "cent une"), (200, False, "deux cents"), (7800, False, "sept mille huit cents"),
    (70000, False, "soixante-dix mille"), (1000, True, "mille"), (21000, True, "vingt et un mille"),
    (1500000, False, "un million cinq cent mille"), (-5, False, "moins cinq"),
])
def test_cardinal(value, feminine, words):
    assert numbers.cardinal(value, feminine) == words


def test_cardinal_agrees_with_num2words():
    """num2words (a test oracle here) for every number below 20 000 and big random ones."""
    rng = random.Random(3)
    values = list(range(20000)) + [rng.randrange(10**n) for n in range(5, 16) for _ in range(200)]
    wrong = [v for v in values if numbers.cardinal(v) != num2words(v, lang="fr")]
    assert wrong == []


@pytest.mark.parametrize("value, feminine, words", [
    (1, False, "premier"), (1, True, "première"), (2, False, "deuxième"), (4, False, "quatrième"),
    (5, False, "cinquième"), (9, False, "neuvième"), (11, False, "onzième"),
    (21, False, "vingt et unième"), (71, False, "soixante et onzième"),
    # num2words says "quatre-vingtsième", "deux centsième", "un millionième"
    (80, False, "quatre-vingtième"), (200, False, "deux centième"), (300, False, "trois centième"),
    (1000, False, "millième"), (7800, False, "sept mille huit centième"),
    (1000000, False, "millionième"), (2000000, False, "deux millionième"),
    (1000000000, False, "milliardième"),
])
def test_ordinal(value, feminine, words):
    assert numbers.ordinal(value, feminine) == words


@table(
    ("Avec 40 milliards d’euros déjà engagés et 7\u00a0800 projets",
     "Avec quarante milliards d’euros déjà engagés et sept mille huit cents projets"),
    ("7\u202f800 projets", "sept mille huit cents projets"),
    ("7 800 projets", "sept mille huit cents projets"),
    ("1.500.000 habitants", "un million cinq cent mille habitants"),
    ("70 000 étudiants, avec un objectif de 100 000 par an",
     "soixante-dix mille étudiants, avec un objectif de cent mille par an"),
    ("plus de 2500 chercheurs", "plus de deux mille cinq cents chercheurs"),
    ("une croissance de 3,5 points", "une croissance de trois virgule cinq points"),
    ("3,05 mètres", "trois virgule zéro cinq mètres"),
    ("un taux de 2.9 points", "un taux de deux virgule neuf points"),
    ("le code 007", "le code zéro zéro sept"),
    ("une température de -5 degrés", "une température de moins cinq degrés"),
    ("un solde de −12", "un solde de moins douze"),
    ("seules 31 ont accueilli", "seules trente et un ont accueilli"),
    ("1 personne sur 21 personnes", "une personne sur vingt et une personnes"),
    ("31 fois en 101 pages", "trente et une fois en cent une pages"),
    ("1 000 personnes", "mille personnes"),
    ("1 projet", "un projet"),
)
def test_numbers(written, spoken):
    text = numbers.say_signs(written)
    assert typography.tidy(numbers.say_numbers(text, LEX.feminine_nouns)) == spoken


@table(
    ("1/2", "un demi"), ("3/4 des gens", "trois quarts des gens"), ("2/3", "deux tiers"),
    ("5/8", "cinq huitièmes"), ("24/7", "vingt-quatre sur sept"), ("½ litre", "un demi litre"),
    ("donne 8/10", "donne huit sur dix"), ("4/5 des gens", "quatre cinquièmes des gens"),
    ("(≥ 1/10)", "(≥ un sur dix)"), ("les 3/10 du total", "les trois dixièmes du total"),
)
def test_fractions(written, spoken):
    assert typography.tidy(numbers.say_fractions(written)) == spoken


# --- ordinals and Roman numerals --------------------------------------------------------------

@table(
    ("la 4e Journée nationale", "la quatrième Journée nationale"),
    ("le 1er degré parisien", "le premier degré parisien"),
    ("la 1re fois", "la première fois"),
    ("la 1ère fois", "la première fois"),
    ("les 18ème, 19ème et 20ème arrondissements", "les dix-huitième, dix-neuvième et vingtième arrondissements"),
    ("Paris 14ème", "Paris quatorzième"),
    ("le 2nd tour", "le second tour"),
    ("en 2nde", "en seconde"),
    ("les 1ers résultats", "les premiers résultats"),
    ("le 200e anniversaire", "le deux centième anniversaire"),
    ("le 80e jour", "le quatre-vingtième jour"),
    ("le 1000e visiteur", "le millième visiteur"),
    ("le XXIe siècle", "le vingt et unième siècle"),
    ("le XIXe siècle", "le dix-neuvième siècle"),
    ("les XVIe et XVIIe siècles", "les seizième et dix-septième siècles"),
    ("la Ve République", "la cinquième République"),
    ("Louis XIV", "Louis quatorze"),
    ("Jean-Paul II", "Jean-Paul deux"),
    ("Benoît XVI", "Benoît seize"),
    ("François Ier", "François premier"),
    ("tome III", "tome trois"),
    ("Mon CV est prêt", "Mon CV est prêt"),
    ("Ce matin", "Ce matin"),
)
def test_ordinals(written, spoken):
    assert ordinals.say_ordinals(written) == spoken


@pytest.mark.parametrize("numeral, value", [("XIV", 14), ("XXI", 21), ("MCMXCIX", 1999),
                                            ("IIII", None), ("IC", None), ("VX", None)])
def test_roman_value(numeral, value):
    assert ordinals.roman_value(numeral) == value


# --- dates and times --------------------------------------------------------------------------

@table(
    ("02 fév. 2026 - 22:49", "deux février deux mille vingt-six - vingt-deux heures quarante-neuf"),
    ("29 jan. 2026", "vingt-neuf janvier deux mille vingt-six"),
    ("07 nov. 2025", "sept novembre deux mille vingt-cinq"),
    ("le 1er janvier", "le premier janvier"),
    ("1 sept. 2019", "premier septembre deux mille dix-neuf"),
    ("mercredi 11 septembre 2019", "mercredi onze septembre deux mille dix-neuf"),
    ("le 14/01/2020", "le quatorze janvier deux mille vingt"),
    ("le 14.01.2020", "le quatorze janvier deux mille vingt"),
    ("le 14/01/20", "le quatorze janvier deux mille vingt"),
    ("le 2020-01-14", "le quatorze janvier deux mille vingt"),
    ("le 45/12/2020", "le 45/12/2020"),
    ("22:49", "vingt-deux heures quarante-neuf"),
    ("22h49", "vingt-deux heures quarante-neuf"),
    ("à 9 h 30", "à neuf heures trente"),
    ("à 13h30 à la Bourse du Travail", "à treize heures trente à la Bourse du Travail"),
    ("à 17h", "à dix-sept heures"),
    ("à 1h du matin", "à une heure du matin"),
    ("à 21h", "à vingt et une heures"),
    ("à 0h05", "à zéro heure cinq"),
    ("à 10H30", "à dix heures trente"),
    ("de 9h à 12h", "de neuf heures à douze heures"),
    ("10 hommes", "10 hommes"),
)
def test_dates_and_times(written, spoken):
    assert dates.say_dates_and_times(written) == spoken


# --- money ------------------------------------------------------------------------------------

@table(
    ("12 €", "douze euros"),
    ("1 €", "un euro"),
    ("12,50 €", "douze euros cinquante"),
    ("1,5 €", "un euro cinquante"),
    ("0,50 €", "cinquante centimes"),
    ("7 800 €", "sept mille huit cents euros"),
    ("1,5 M€", "un virgule cinq million d'euros"),
    ("12 M€", "douze millions d'euros"),
    ("3 Md€", "trois milliards d'euros"),
    ("3 Mds€", "trois milliards d'euros"),
    ("5 k€", "cinq mille euros"),
    ("$12", "douze dollars"),
    ("12 $", "douze dollars"),
    ("$1,5 M", "un virgule cinq million de dollars"),
    ("20 £", "vingt livres"),
    ("1 £", "une livre"),
    ("100 CHF", "cent francs suisses"),
)
def test_money(written, spoken):
    assert money.say_money(written) == spoken


# --- units and symbols ------------------------------------------------------------------------

@table(
    ("12 %", "douze pour cent"),
    ("12%", "douze pour cent"),
    ("3,5 %", "trois virgule cinq pour cent"),
    ("58 (soit 8 %)", "58 (soit huit pour cent)"),
    ("12 km", "douze kilomètres"),
    ("1 km", "un kilomètre"),
    ("1,5 km", "un virgule cinq kilomètre"),
    ("3,5 kg", "trois virgule cinq kilos"),
    ("1 t", "une tonne"),
    ("20 m²", "vingt mètres carrés"),
    ("130 km/h", "cent trente kilomètres heure"),
    ("20 °C", "vingt degrés Celsius"),
    ("21 min", "vingt et une minutes"),
    ("5 Go", "cinq gigaoctets"),
    ("12 000 hab.", "douze mille habitants"),
    ("1* pour les revues", "une étoile pour les revues"),
    ("2 l'ont vu", "2 l'ont vu"),
)
def test_units(written, spoken):
    assert units.say_units(written) == spoken


@table(
    ("Canal+", "Canal plus"),
    ("Procter & Gamble", "Procter et Gamble"),
    ("1 + 1 = 2", "1 plus 1 égale 2"),
    ("et/ou", "et ou"),
    ("§ 3", "paragraphe 3"),
    ("3 x 4", "3 fois 4"),
)
def test_symbols(written, spoken):
    assert typography.tidy(units.say_symbols(written)) == spoken


# --- abbreviations ----------------------------------------------------------------------------

@table(
    ("Mme Rist a insisté", "Madame Rist a insisté"),
    ("la ministre, Mme Rist", "la ministre, madame Rist"),
    ("le Pr Fabrice André", "le professeur Fabrice André"),
    ("Pr Fabrice André : « L’IA »", "Professeur Fabrice André : « L’IA »"),
    ("selon M. Dupont", "selon monsieur Dupont"),
    ("M. le ministre", "Monsieur le ministre"),
    ("MM. Durand et Dupont", "Messieurs Durand et Dupont"),
    ("selon Mmes Durand et Martin", "selon mesdames Durand et Martin"),
    ("Mlle Dupont", "Mademoiselle Dupont"),
    ("le Dr House", "le docteur House"),
    ("Me Dupond-Moretti", "Maître Dupond-Moretti"),
    ("Mgr Lustiger", "Monseigneur Lustiger"),
    ("à St-Étienne", "à saint-Étienne"),
    ("la Ste Chapelle", "la sainte Chapelle"),
    ("voir p. 12", "voir page 12"),
    ("n° 5", "numéro 5"),
    ("vol. 3, chap. 2", "volume 3, chapitre 2"),
    ("art. 49", "article 49"),
    ("avec la jeunesse, etc.), et elle", "avec la jeunesse, et cetera), et elle"),
    ("lycée Balzac, etc.", "lycée Balzac, et cetera."),
    ("cf. le rapport", "confer le rapport"),
    ("en 52 av. J.-C.", "en 52 avant Jésus-Christ."),
    ("en 52 av. J.-C. à Rome", "en 52 avant Jésus-Christ à Rome"),
    ("par ex. la Poste", "par exemple la Poste"),
    # not abbreviations here
    ("me voici", "me voici"),
    ("la page p", "la page p"),
    ("Mme", "Mme"),
)
def test_abbreviations(written, spoken):
    assert lexicon.say_abbreviations(written, LEX) == spoken


# --- lexicon and acronyms ---------------------------------------------------------------------

@table(
    ("le RGPD", "le èr gé pé dé"),
    ("le CHU de Bordeaux", "le cé ache u de Bordeaux"),
    ("l'IA générative", "l'i a générative"),
    ("la SNCF", "la èss èn cé èf"),
    ("le CNRS", "le cé èn èr èss"),
    ("l'ONU", "l'o èn u"),  # issue 16: ONU is spelled (listed in [acronyms] spell)
    ("l'UNESCO", "l'Unesco"),
    ("l'OTAN", "l'Otan"),
    ("le HCERES", "le ache cé e èr e èss"),  # issue 16: no French word starts with HC
    ("l'AERES", "l'Aeres"),
    ("les PIAL", "les Pial"),
    ("l'AP-HP", "l'a pé ache pé"),
    ("la DSIH", "la dé èss i ache"),
    ("LE DIRECT ET LES PODCASTS DE FRANCE CULTURE", "le direct et les podcasts de france culture"),
    ("le collectif RogueESR", "le collectif RogueESR"),
)
def test_acronyms(written, spoken):
    assert lexicon.say_acronyms(written, LEX) == spoken


@table(
    ("la 5G", "la cinq gé"),
    ("le COVID-19", "le covid dix-neuf"),
    ("la Covid-19", "la covid dix-neuf"),
    ("l'Inserm", "l'inserme"),
    ("le HCERES", "le achcérès"),
    ("la Cnil", "la cnil"),
    ("le CAC 40", "le cac quarante"),
    ("France 2030", "France deux mille trente"),
    ("la e-santé", "la e santé"),
    # whole word only: the entry "5G" does not match inside "15G"
    ("15G", "15G"),
)
def test_lexicon_entries(written, spoken):
    assert lexicon.say_lexicon_entries(written, LEX) == spoken


def test_project_lexicon_overrides_and_adds(tmp_path):
    (tmp_path / "lexicon.toml").write_text(
        '[say]\n"Bonnell" = "bo-nel"\n"5G" = "la cinquième génération"\n'
        '[acronyms]\nwords = ["CHU"]\nspell = ["AERES"]\n'
        '[abbreviations.anywhere]\n"ss." = "suivantes"\n'
        '[grammar]\nfeminine = ["consultation"]\n', encoding="utf-8")
    speak = normaliser("fr", tmp_path)
    assert speak("Bruno Bonnell et la 5G") == "Bruno bo-nel et la la cinquième génération"
    assert speak("le CHU et l'AERES") == "le Chu et l'a e èr e èss"
    assert speak("p. 3 et ss.") == "page trois et suivantes."
    assert speak("1 consultation") == "une consultation"
    # the packaged lexicon is untouched for projects without their own
    assert normaliser("fr", None)("la 5G") == "la cinq gé"


@pytest.mark.parametrize("content, message", [
    ("[say]\n\"IA\" = 3\n", "lexicon.toml: [say] IA = 3: expected text (in quotes)"),
    ("[acronyms]\nwords = \"ONU\"\n",
     'lexicon.toml: [acronyms] words = "ONU": expected a list of non-empty texts, e.g. ["..."]'),
    ("[abbreviations.partout]\n\"x.\" = \"y\"\n",
     "lexicon.toml: unknown key `partout` in [abbreviations]; valid keys: before_name, "
     "before_number, after_number, anywhere"),
    ("[say\n", "lexicon.toml: not valid TOML"),
])
def test_bad_project_lexicon_is_a_usage_error(tmp_path, content, message):
    (tmp_path / "lexicon.toml").write_text(content, encoding="utf-8")
    with pytest.raises(UsageError) as error:
        load_lexicon(tmp_path)
    assert str(error.value).startswith(message)


# --- web addresses ----------------------------------------------------------------------------

@table(
    ("https://www.soundofscience.fr/1927", "soundofscience point fr"),
    ("voir https://www.franceculture.fr/emissions/le-journal-des-idees.", "voir franceculture point fr."),
    ("suivi.reformes.blanquer@gmail.com", "suivi point reformes point blanquer arobase gmail point com"),
    ("sur franceinfo.fr ce matin", "sur franceinfo point fr ce matin"),
    ("sur Mediapart.fr", "sur mediapart point fr"),
    ("le site www.laviedesidees.fr", "le site laviedesidees point fr"),
    ("contact: jean_dupont@sante-numerique.gouv.fr",
     "contact: jean tiret bas dupont arobase sante tiret numerique point gouv point fr"),
    ("suivez @SoundofScFr", "suivez arobase SoundofScFr"),
    ("#MeToo", "hashtag MeToo"),
)
def test_web(written, spoken):
    assert web.say_web(written) == spoken


# --- whole sentences --------------------------------------------------------------------------

@table(
    ("L’IA, fil conducteur de la 4ᵉ Journée nationale de l’innovation en santé numérique",
     "L'i a, fil conducteur de la quatrième Journée nationale de l'innovation en santé numérique"),
    ("Avec 40 milliards d’euros déjà engagés et 7\u00a0800 projets soutenus dans divers domaines",
     "Avec quarante milliards d'euros déjà engagés et sept mille huit cents projets soutenus dans divers domaines"),
    ("Mme Rist a insisté sur la complémentarité entre innovation et humanité\u00a0: « L’IA améliore déjà les diagnostics »",
     "Madame Rist a insisté sur la complémentarité entre innovation et humanité: L'i a améliore déjà les diagnostics"),
    ("Pr Fabrice André : « L’IA générative sera le cœur de la recherche clinique de demain »",
     "Professeur Fabrice André: L'i a générative sera le cœur de la recherche clinique de demain"),
    ("RGPD chez France Travail : les questions de fond",
     "èr gé pé dé chez France Travail: les questions de fond"),
    ("02 fév. 2026 - 22:49,", "deux février deux mille vingt-six, vingt-deux heures quarante-neuf,"),
    ("Le CHU de Bordeaux lance un projet 5G pour soutenir de nouveaux usages hospitaliers",
     "Le cé ache u de Bordeaux lance un projet cinq gé pour soutenir de nouveaux usages hospitaliers"),
    ("cette amende de 5 millions d’euros infligée par la Cnil à France Travail",
     "cette amende de cinq millions d'euros infligée par la cnil à France Travail"),
    ("Parmi les 705 revues listées, 58 (soit 8\u00a0%) sont de langue française",
     "Parmi les sept cent cinq revues listées, cinquante-huit (soit huit pour cent) sont de langue française"),
    ("2) Grève interprofessionnelle du mardi 24 septembre + AG Éducation",
     "deux, Grève interprofessionnelle du mardi vingt-quatre septembre plus a gé Éducation"),
    ("une conférence de presse mercredi 11 septembre à 13h30 (3, rue du Château d’Eau, Paris 10ème)",
     "une conférence de presse mercredi onze septembre à treize heures trente (trois, rue du Château d'Eau, Paris dixième)"),
    ("en CP et CE1", "en cé pé et cé e un"),
    ("de 2020-2025, pour les 10-12 ans, de 9h-12h", "de deux mille vingt à deux mille vingt-cinq, pour les dix à douze ans, de neuf heures à douze heures"),
    ("la période 2007/2008", "la période deux mille sept à deux mille huit"),
    ("une baisse de 10-12 %", "une baisse de dix à douze pour cent"),
    ("par -5 °C", "par moins cinq degrés Celsius"),
    ("plus de 2500 chercheur·euse·s", "plus de deux mille cinq cents chercheuses et chercheurs"),
    ("Les auteurs français [4] accèdent très peu aux revues", "Les auteurs français accèdent très peu aux revues"),
    ("une boîte mail dédiée : suivi.reformes.blanquer@gmail.com",
     "une boîte mail dédiée: suivi point reformes point blanquer arobase gmail point com"),
    ("Louis XIV et le XXIe siècle", "Louis quatorze et le vingt et unième siècle"),
    ("au 1er janvier 2026, 1,5 M€ et 12 €", "au premier janvier deux mille vingt-six, un virgule cinq million d'euros et douze euros"),
)
def test_whole_sentences(written, spoken):
    assert normalise(written) == spoken


def test_nothing_a_voice_would_misread_is_left():
    """Random real sentences: no digit, no superscript, no all-capital word, no « » left."""
    sentences = [
        "Le 18 décembre, le conseiller com du président lâche « qu’Emmanuel Macron est disposé »",
        "D’abord publié à l’issue de la crise financière de 2008, le livre dénonçait",
        "les années 70 avec la bonne fée des automobilistes dans les bouchons",
        "Sur l’ensemble des 57 titres de revues dépouillées, seules 31 ont accueilli",
        "Depuis la loi d’autonomie des universités (LRU) de 2007, la hiérarchie",
        "La 4ᵉ édition, le 2ᵉ volet, la 1ʳᵉ fois, le 1ᵉʳ janvier",
        "Il y a 22 projets, 32 actions et 550 millions d’euros pour 350 projets",
    ]
    for sentence in sentences:
        spoken = normalise(sentence)
        assert not any(ch.isdigit() for ch in spoken), spoken
        assert not re.search(r"[ᵉʳˢ«»’]", spoken), spoken
        assert not re.search(r"\b[A-Z]{2,}\b", spoken), spoken
