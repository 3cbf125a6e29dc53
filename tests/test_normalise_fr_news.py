"""Issue 16: the constructions of real French news the first release misread, one golden table
per category (readings decided as a French newsreader says them), and the evaluation set."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from num2words import num2words

from audioarticles.normalise.fr import normalise
from audioarticles.normalise.fr.lexicon import load_lexicon, pronounceable, read_acronym

LEX = load_lexicon()


def table(*rows):
    return pytest.mark.parametrize("written, spoken", rows, ids=[r[0][:40] for r in rows])


# --- 2. slash notation ------------------------------------------------------------------------

@table(
    ("ouvert 24h/24", "ouvert vingt-quatre heures sur vingt-quatre"),
    ("un service 24 h/24 et 7 j/7", "un service vingt-quatre heures sur vingt-quatre et sept jours sur sept"),
    ("joignable 7j/7", "joignable sept jours sur sept"),
    ("365j/365", "trois cent soixante-cinq jours sur trois cent soixante-cinq"),
    ("la saison 2023/2024", "la saison deux mille vingt-trois à deux mille vingt-quatre"),
    ("limitée à 120/140 km/h", "limitée à cent vingt à cent quarante kilomètres heure"),
    ("il a reçu 8/10e de la dose", "il a reçu huit dixièmes de la dose"),
    ("une acuité de 1/10e", "une acuité d'un dixième"),
    ("3/4 des électeurs", "trois quarts des électeurs"),
    ("47/100 000 habitants", "quarante-sept pour cent mille habitants"),
    ("un taux de 5/1 000", "un taux de cinq pour mille"),
    ("12,5/100 000", "douze virgule cinq pour cent mille"),
    ("une marge d'erreur de +/- 3 points", "une marge d'erreur de plus ou moins trois points"),
    ("ouvert 24/24", "ouvert vingt-quatre sur vingt-quatre"),
    # a count out of a total, before a noun that starts like a unit ("m", "g")
    ("la moitié du board (23/43 membres)", "la moitié du board (vingt-trois sur quarante-trois membres)"),
    ("12/20 gagnants", "douze sur vingt gagnants"),
    # out of five or ten, a mark or a frequency, unless a share of something
    ("je lui donne 8/10, un bon cru", "je lui donne huit sur dix, un bon cru"),
    ("Note : 4/5 pour l'accueil", "Note: quatre sur cinq pour l'accueil"),
    ("très fréquent (≥ 1/10)", "très fréquent (supérieur ou égal à un sur dix)"),
    ("peu fréquent (≥ 1/1 000, < 1/100)", "peu fréquent (supérieur ou égal à un sur mille, inférieur à un sur cent)"),
    ("noté 3/5 par les lecteurs", "noté trois sur cinq par les lecteurs"),
    ("8/10 élèves ont réussi", "huit sur dix élèves ont réussi"),
    ("4/5 des électeurs", "quatre cinquièmes des électeurs"),
    ("les 3/10 restants", "les trois dixièmes restants"),
    ("1/10 de seconde", "un dixième de seconde"),
    ("les 2/3 du budget", "les deux tiers du budget"),
    # a decimal over a whole number is a mark out of it
    ("il a obtenu 14,5/20 au bac", "il a obtenu quatorze virgule cinq sur vingt au bac"),
    ("une note de 8,5/10", "une note de huit virgule cinq sur dix"),
    # a ratio: what is divided by what
    ("le ratio dette/PIB", "le ratio dette sur pé i bé"),
    ("la dette/PIB de la France", "la dette sur pé i bé de la France"),
    ("le déficit/PIB atteint 5 %", "le déficit sur pé i bé atteint cinq pour cent"),
    ("le rapport cours/bénéfice du titre", "le rapport cours sur bénéfice du titre"),
    ("un ratio dette nette/Ebitda de 3", "un ratio dette nette sur Ebitda de trois"),
    ("le ratio prix/revenu", "le ratio prix sur revenu"),
    ("le rapport qualité/prix", "le rapport qualité prix"),
    # a unit counted per after a word
    ("95 g de CO2/km", "quatre-vingt-quinze grammes de cé o deux par kilomètre"),
    ("1 200 habitants/km²", "mille deux cents habitants par kilomètre carré"),
    ("30 passages/jour", "trente passages par jour"),
    ("payé 1 800 euros/mois", "payé mille huit cents euros par mois"),
    ("30 000 véhicules/jour", "trente mille véhicules par jour"),
    ("il touchait 15 000 € brut/mois", "il touchait quinze mille euros brut par mois"),
    ("la vitesse en km/h", "la vitesse en kilomètres heure"),
    ("et/ou", "et ou"),
    # a frequency after a comparison is one case out of N, not a rate
    ("très rares (< 1/10 000)", "très rares (inférieur à un sur dix mille)"),
    ("rares (≥ 1/10 000, < 1/1 000)", "rares (supérieur ou égal à un sur dix mille, inférieur à un sur mille)"),
    ("une incidence de 1/100 000 habitants", "une incidence d'un pour cent mille habitants"),
)
def test_slashes(written, spoken):
    assert normalise(written) == spoken


# --- 3. money shorthand -----------------------------------------------------------------------

@table(
    ("un chiffre d'affaires de 692 m€", "un chiffre d'affaires de six cent quatre-vingt-douze millions d'euros"),
    ("un résultat de 1 630,4 ME", "un résultat de mille six cent trente virgule quatre millions d'euros"),
    ("un salaire de 42 k€", "un salaire de quarante-deux mille euros"),
    ("le film a réalisé 2,3 M d'entrées", "le film a réalisé deux virgule trois millions d'entrées"),
    ("1,2 Md de dollars", "un virgule deux milliard de dollars"),
    ("un prix de 15 000 FCFA", "un prix de quinze mille francs cé èf a"),
    ("un billet de 5 000 FCFA", "un billet de cinq mille francs cé èf a"),
    ("3 Mds€ d'investissements", "trois milliards d'euros d'investissements"),
    ("une levée de 250 MEUR", "une levée de deux cent cinquante millions d'euros"),
    ("un budget de 2 MdEUR", "un budget de deux milliards d'euros"),
    ("une amende de 10 millions €", "une amende de dix millions d'euros"),
    ("2 milliards de $", "deux milliards de dollars"),
    ("vendue 2.700.000 F en 1995", "vendue deux millions sept cent mille francs en mille neuf cent quatre-vingt-quinze"),
    ("un prix de 150 FF", "un prix de cent cinquante francs"),
    ("le ticket à 3,65 euros", "le ticket à trois euros soixante-cinq"),
    ("le ticket à 3,65 €", "le ticket à trois euros soixante-cinq"),
    ("une facture de 15,00 €", "une facture de quinze euros"),
    ("1,5 euro", "un euro cinquante"),
    ("12 dollars", "douze dollars"),
    ("28 €/m² à Paris", "vingt-huit euros le mètre carré à Paris"),
    ("2,10 €/l", "deux euros dix le litre"),
    ("1 € symbolique", "un euro symbolique"),
    ("5 000 000 € de dons", "cinq millions d'euros de dons"),
    ("2 000 000 000 $", "deux milliards de dollars"),
    ("1 500 000 €", "un million cinq cent mille euros"),
    # "mille" is an adjective: "cents" and "vingts" lose their s before it
    ("investi 500 k€ dans la PME", "investi cinq cent mille euros dans la pé èm e"),
    ("un budget de 80 k€", "un budget de quatre-vingt mille euros"),
    ("200 K€ de subventions", "deux cent mille euros de subventions"),
    # a currency code after the scale word
    ("2,8 milliards de CHF", "deux virgule huit milliards de francs suisses"),
    ("12 millions de CHF", "douze millions de francs suisses"),
    ("3 milliards de F CFA", "trois milliards de francs cé èf a"),
)
def test_money_shorthand(written, spoken):
    assert normalise(written) == spoken


# --- 4. signs and dashes ----------------------------------------------------------------------

@table(
    ("en baisse de - 7,8 %", "en baisse de moins sept virgule huit pour cent"),
    ("un recul de – 2 %", "un recul de moins deux pour cent"),
    ("les ventes (- 3 %) reculent", "les ventes (moins trois pour cent) reculent"),
    ("le conseil – réuni en urgence – a voté", "le conseil, réuni en urgence, a voté"),
    ("les prix – 12 % en un an – grimpent", "les prix, douze pour cent en un an, grimpent"),
    ("- 12 projets sont lancés", "douze projets sont lancés"),
    ("Bilan : - 3 %", "Bilan: moins trois pour cent"),
    ("le groupe M - 6 joueurs", "le groupe èm, six joueurs"),
    ("significatif (p < 0,001)", "significatif (p inférieur à zéro virgule zéro zéro un)"),
    ("p<0,05", "p inférieur à zéro virgule zéro cinq"),
    ("un score ≥ 3", "un score supérieur ou égal à trois"),
    ("un IMC ≤ 18,5", "un i èm cé inférieur ou égal à dix-huit virgule cinq"),
    ("des revenus > 3 000 €", "des revenus supérieur à trois mille euros"),
    ("64 ± 8 ans", "soixante-quatre plus ou moins huit ans"),
    ("l'année N-1", "l'année èn moins un"),
    ("par rapport à N-2", "par rapport à èn moins deux"),
    ("à J-7 du scrutin", "à ji moins sept du scrutin"),
    ("le règlement à T+3", "le règlement à té plus trois"),
    ("à H-2", "à ache moins deux"),
    ("par -5 °C", "par moins cinq degrés Celsius"),
    ("les ventes x2", "les ventes fois deux"),
    ("un effet ×3", "un effet fois trois"),
    ("3 x 4", "trois fois quatre"),
    # an en dash or minus sign glued to a figure after a word introducing a quantity
    ("en baisse de –1,2 %", "en baisse de moins un virgule deux pour cent"),
    ("une variation (–3 %) sur un an", "une variation (moins trois pour cent) sur un an"),
    ("soit −0,4 point", "soit moins zéro virgule quatre point"),
    ("entre 1939–1945", "entre mille neuf cent trente-neuf à mille neuf cent quarante-cinq"),
)
def test_signs_and_dashes(written, spoken):
    assert normalise(written) == spoken


# --- 5. compound units ------------------------------------------------------------------------

@table(
    ("0,5 mg/kg/h", "zéro virgule cinq milligramme par kilo par heure"),
    ("15 mg/kg/j", "quinze milligrammes par kilo par jour"),
    ("12 µg/ml", "douze microgrammes par millilitre"),
    ("1,26 g/L", "un virgule vingt-six gramme par litre"),
    ("135 mmol/L", "cent trente-cinq millimoles par litre"),
    ("120 kWh/m²/an", "cent vingt kilowattheures par mètre carré par an"),
    ("2 000 m³/s", "deux mille mètres cubes par seconde"),
    ("20 mg/100 ml", "vingt milligrammes pour cent millilitres"),
    ("8 t/ha", "huit tonnes à l'hectare"),
    ("5 L/min", "cinq litres par minute"),
    ("6 l/100 km", "six litres aux cent kilomètres"),
    ("de 10 à 20 mg/kg", "de dix à vingt milligrammes par kilo"),
    ("10-20 mg/kg/j", "dix à vingt milligrammes par kilo par jour"),
    ("420 ppm", "quatre cent vingt parties par million"),
    ("1,3 million de km", "un virgule trois million de kilomètres"),
    ("des milliers de m³", "des milliers de mètres cubes"),
    ("130 km/h", "cent trente kilomètres heure"),
    ("50 m/s", "cinquante mètres par seconde"),
    # a unit named without a number
    ("le prix du kWh", "le prix du kilowattheure"),
    ("exprimé en km²", "exprimé en kilomètres carrés"),
    ("le m² le plus cher", "le mètre carré le plus cher"),
    ("une parcelle de 3 ha", "une parcelle de trois hectares"),
    ("une batterie de 5 000 mAh", "une batterie de cinq mille milliampères-heures"),
    ("une hausse de 50 cts", "une hausse de cinquante centimes"),
    ("une baisse de 12 mmHg", "une baisse de douze millimètres de mercure"),
    ("une PAS de 140 mmHg", "une pé a èss de cent quarante millimètres de mercure"),
    ("entre 0,6 et 28 µm", "entre zéro virgule six et vingt-huit micromètres"),
    ("des particules de 2,5 µm", "des particules de deux virgule cinq micromètres"),
    ("une gravure en 3 nm", "une gravure en trois nanomètres"),
    ("10 µl de sang", "dix microlitres de sang"),
    ("une kaliémie de 5,5 mEq/l", "une kaliémie de cinq virgule cinq milliéquivalents par litre"),
    ("une PEP de 5 cmH2O", "une pé e pé de cinq centimètres d'eau"),
    ("une pression de 101 kPa", "une pression de cent un kilopascals"),
    ("1 013 mbar au niveau de la mer", "mille treize millibars au niveau de la mer"),
    ("une dose de 2 Gy", "une dose de deux grays"),
    ("un moteur de 250 ch", "un moteur de deux cent cinquante chevaux"),
    ("une fibre à 1 Gb/s", "une fibre à un gigabit par seconde"),
    ("un débit de 300 Mbps", "un débit de trois cents mégabits par seconde"),
    ("sous 50 000/mm³", "sous cinquante mille par millimètre cube"),
    ("un pouls à 120/min", "un pouls à cent vingt par minute"),
    ("6 000 leucocytes/mm3", "six mille leucocytes par millimètre cube"),
    ("une section de 2,5 mm²", "une section de deux virgule cinq millimètres carrés"),
    ("1 000/an", "mille par an"),
    ("la Cmax et le Tmax", "la cé max et le té max"),
    ("95 €/MWh", "quatre-vingt-quinze euros le mégawattheure"),
    ("relevé ses taux de 75 pb", "relevé ses taux de soixante-quinze points de base"),
    # "Mt" in the news is millions of tonnes (of wheat, of CO2)
    ("une récolte de 33 Mt", "une récolte de trente-trois millions de tonnes"),
    ("1 Mt de CO2", "un million de tonnes de cé o deux"),
    ("4,5 Mt", "quatre virgule cinq millions de tonnes"),
    ("une batterie de 4 000 mAh", "une batterie de quatre mille milliampères-heures"),
)
def test_compound_units(written, spoken):
    assert normalise(written) == spoken


# --- 6. Roman numerals ------------------------------------------------------------------------

@table(
    ("le XV de France", "le quinze de France"),
    ("Le XV tricolore", "Le quinze tricolore"),
    ("un club de rugby à XV", "un club de rugby à quinze"),
    ("le rugby à XIII", "le rugby à treize"),
    ("le rugby à VII olympique", "le rugby à sept olympique"),
    ("la IVe République", "la quatrième République"),
    ("sous la Ve République", "sous la cinquième République"),
    ("entre la IV et la V", "entre la quatrième et la cinquième"),
    ("la III et la IV", "la troisième et la quatrième"),
    ("le concile Vatican II", "le concile Vatican deux"),
    ("promu en D.III", "promu en dé trois"),
    ("Louis XV de France", "Louis quinze de France"),
    ("au XIIIe siècle", "au treizième siècle"),
    ("Elizabeth II", "Elizabeth deux"),
    ("le CV du candidat", "le cé vé du candidat"),
    # the numbered parts of a legal article
    ("du I et du II de l'article 3", "du un et du deux de l'article trois"),
    ("le II de l'article L. 521-1", "le deux de l'article èl cinq cent vingt et un tiret un"),
    ("au III de l'article 12", "au trois de l'article douze"),
    ("le I, le II et le IV de l'article 4", "le un, le deux et le quatre de l'article quatre"),
)
def test_roman_numerals(written, spoken):
    assert normalise(written) == spoken


# --- 7. identifiers that look like ranges -----------------------------------------------------

@table(
    ("la loi n° 78-17", "la loi numéro soixante-dix-huit tiret dix-sept"),
    ("la décision n° 2010-626 DC", "la décision numéro deux mille dix tiret six cent vingt-six dé cé"),
    ("l'article L. 1111-8", "l'article èl mille cent onze tiret huit"),
    ("l'article R. 4127-1 du code", "l'article èr quatre mille cent vingt-sept tiret un du code"),
    ("l'art. 122-5 du code pénal", "l'article cent vingt-deux tiret cinq du code pénal"),
    ("le décret n° 2020-1310", "le décret numéro deux mille vingt tiret mille trois cent dix"),
    ("l'ordonnance nº 2019-738", "l'ordonnance numéro deux mille dix-neuf tiret sept cent trente-huit"),
    ("la RN 7", "la èr èn sept"),
    ("au T2", "au té deux"),
    ("l'A 6", "l'a six"),
    ("sur l'A7", "sur l'a sept"),
    ("l'article 49.3", "l'article quarante-neuf trois"),
    ("le 49-3", "le quarante-neuf trois"),
    # a four-digit short number one calls is said in two pairs
    ("les victimes peuvent appeler le 3919", "les victimes peuvent appeler le trente-neuf dix-neuf"),
    ("Le 3114, numéro national de prévention du suicide", "Le trente et un quatorze, numéro national de prévention du suicide"),
    ("au 3646 (service gratuit)", "au trente-six quarante-six (service gratuit)"),
    ("composez le 3237 pour trouver une pharmacie", "composez le trente-deux trente-sept pour trouver une pharmacie"),
    ("le 3008 sur une ligne droite", "le trois mille huit sur une ligne droite"),
    ("le 3000 m steeple", "le trois mille mètres steeple"),
    ("le 3008 de Peugeot", "le trois mille huit de Peugeot"),
    ("en 3919 exemplaires", "en trois mille neuf cent dix-neuf exemplaires"),
    # a range stays a range
    ("de 2020-2025", "de deux mille vingt à deux mille vingt-cinq"),
    ("les 18-25 ans", "les dix-huit à vingt-cinq ans"),
    # a phone number in groups of three is read group by group
    ("le numéro vert 0 800 123 456", "le numéro vert zéro, huit cents, cent vingt-trois, quatre cent cinquante-six"),
    ("appelez le 01 45 67 89 10", "appelez le zéro un quarante-cinq soixante-sept quatre-vingt-neuf dix"),
    ("1 500 000 habitants", "un million cinq cent mille habitants"),
    # a European act: its year, then its number
    ("la directive 2019/790 sur le droit d'auteur", "la directive deux mille dix-neuf sept cent quatre-vingt-dix sur le droit d'auteur"),
    ("le règlement (UE) 2016/679", "le règlement (u e) deux mille seize six cent soixante-dix-neuf"),
)
def test_identifiers(written, spoken):
    assert normalise(written) == spoken


# --- 8. acronyms ------------------------------------------------------------------------------

@table(
    ("la RATP", "la èr a té pé"),
    ("la FNSEA", "la èf èn èss e a"),
    ("la DGSI", "la dé gé èss i"),
    ("une OQTF", "une o ku té èf"),
    ("la CPAM", "la cé pé a èm"),
    ("l'ANSM", "l'a èn èss èm"),
    ("l'IGPN", "l'i gé pé èn"),
    ("EELV", "e e èl vé"),
    ("le GIGN", "le gé i gé èn"),
    ("la CEDH", "la cé e dé ache"),
    ("la CJUE", "la cé ji u e"),
    ("la SFIO", "la èss èf i o"),
    # a capital consonant alone is named; vowels, initials and Roman numerals are not
    ("le trafic du RER B", "le trafic du èr e èr bé"),
    ("la vitamine D", "la vitamine dé"),
    ("sur le réseau X, il", "sur le réseau ixe, il"),
    ("le plan B.", "le plan bé."),
    ("J. Dupont", "J. Dupont"),
    ("Charles V", "Charles cinq"),
    ("la SARL", "la èss a èr èl"),
    ("l'ONU", "l'o èn u"),
    ("la SNCF", "la èss èn cé èf"),
    ("l'OCDE", "l'o cé dé e"),
    ("l'OTAN", "l'Otan"),
    ("l'UNESCO", "l'Unesco"),
    ("le SIDA", "le Sida"),
    ("le COVID", "le covid"),
    ("l'URSSAF", "l'Urssaf"),
    ("le MEDEF", "le Medef"),
    ("l'UNSA", "l'Unsa"),
    ("le plan ORSEC", "le plan Orsec"),
    ("l'AFNOR", "l'Afnor"),
    ("la COP", "la Cop"),
    ("l'URSS", "l'Urss"),
    ("le SAMU", "le Samu"),
    # a hyphenated acronym is read part by part, unless listed whole
    ("le groupe PPE-DE", "le groupe pé pé e dé e"),
    ("la CGT-FO", "la cé gé té èf o"),
    ("l'AP-HP", "l'a pé ache pé"),
    ("l'alliance PS-PRG", "l'alliance pé èss pé èr gé"),
    # capitals with periods are spelled
    ("le témoin, S.G., a été entendu", "le témoin, èss gé, a été entendu"),
    ("interpellé par la P.J.", "interpellé par la pé ji."),
    ("les U.S.A. et le Canada", "les u èss a et le Canada"),
    ("N.B. : la séance est levée", "Nota bene: la séance est levée"),
    ("le P.-D.G. du groupe", "le pé dé gé du groupe"),
    # initials standing for a person's name are spelled
    ("un homme de 30 ans, S. D., a été interpellé", "un homme de trente ans, èss dé, a été interpellé"),
    ("la victime, K. L. (23 ans), était connue", "la victime, ka èl (vingt-trois ans), était connue"),
    ("M. D., 45 ans, a été relâché", "Monsieur dé, quarante-cinq ans, a été relâché"),
    ("selon S. D. Martin", "selon S. D. Martin"),
    ("selon J.R.R. Tolkien", "selon ji èr èr Tolkien"),
    # common acronyms said as words though short
    ("la PAC", "la Pac"),
    ("les DOM et les TOM", "les Dom et les Tom"),
    ("les ZUS", "les Zus"),
    # a lone letter ends the sentence before the first word of the next one
    ("le plan B. Il n'existe pas", "le plan bé. Il n'existe pas"),
    ("pas de planète B. Les jeunes le disent", "pas de planète bé. Les jeunes le disent"),
    ("la vitamine C. L'organisme en manque", "la vitamine cé. L'organisme en manque"),
    ("le scénario B. Mais rien ne bouge", "le scénario bé. Mais rien ne bouge"),
    # an initial before a surname stays one
    ("Selon J. Dupont, tout va bien", "Selon J. Dupont, tout va bien"),
    ("l'historien J. Le Goff a écrit", "l'historien J. Le Goff a écrit"),
    ("un texte signé par J. Martin. Il", "un texte signé par J. Martin. Il"),
    ("le CO2", "le cé o deux"),
    ("le SRAS", "le Sras"),
    ("8 Go de RAM", "huit gigaoctets de Ram"),
    ("la mémoire RAM du serveur", "la mémoire Ram du serveur"),
    ("un CD ROM", "un cé dé Rom"),
)
def test_acronyms(written, spoken):
    assert normalise(written) == spoken


@pytest.mark.parametrize("letters, word", [
    ("OTAN", True), ("UNESCO", True), ("SIDA", True), ("MEDEF", True), ("URSSAF", True),
    ("AFNOR", True), ("ORSEC", True), ("ASSEDIC", True), ("INSTRUIT", True),
    ("RATP", False), ("FNSEA", False), ("DGSI", False), ("OQTF", False), ("CPAM", False),
    ("ANSM", False), ("IGPN", False), ("EELV", False), ("CNRS", False), ("GIGN", False),
    ("IAEA", False),
])
def test_pronounceability_rule(letters, word):
    assert pronounceable(letters, LEX.onsets, LEX.endings) is word


def test_project_lexicon_can_list_an_acronym_the_rule_gets_wrong(tmp_path):
    (tmp_path / "lexicon.toml").write_text('[acronyms]\nwords = ["CPAM"]\nspell = ["ASSEDIC"]\n',
                                           encoding="utf-8")
    project = load_lexicon(tmp_path)
    assert read_acronym("CPAM", project) == "Cpam"
    assert read_acronym("ASSEDIC", project) == "a èss èss e dé i cé"
    assert read_acronym("CPAM", LEX) == "cé pé a èm"


# --- 9. sport ---------------------------------------------------------------------------------

@table(
    ("ouvre le score à la 52'", "ouvre le score à la cinquante-deuxième minute"),
    ("Mbappé (52')", "Mbappé (cinquante-deuxième minute)"),
    ("Dembélé (45+2')", "Dembélé (quarante-cinquième minute plus deux)"),
    ("un but à la 90e+3", "un but à la quatre-vingt-dixième minute plus trois"),
    ("Griezmann (67' sp)", "Griezmann (soixante-septième minute sur penalty)"),
    ("Kimpembe (12' csc)", "Kimpembe (douzième minute contre son camp)"),
    ("sur un csc de Marquinhos", "sur un contre son camp de Marquinhos"),
    ("le N.2 mondial", "le numéro deux mondial"),
    ("Sinner, N.1", "Sinner, numéro un"),
    ("la Française, TS 5", "la Française, tête de série numéro cinq"),
    ("Alcaraz (ESP/N.2)", "Alcaraz (Espagne, numéro deux)"),
    ("Pinot (FRA)", "Pinot (France)"),
    ("Alcaraz, ESP/N.2, en finale", "Alcaraz, Espagne, numéro deux, en finale"),
    ("s'impose 7-6 (7/4), 6-3", "s'impose sept six (sept quatre), six trois"),
    ("perd 6-7 [4], 6-4, 3-6", "perd six sept (quatre), six quatre, trois six"),
    ("6-4, 6-2", "six quatre, six deux"),
    ("7-6 (5)", "sept six (cinq)"),
    ("un succès 3-1 au Vélodrome", "un succès trois à un au Vélodrome"),
    ("le meilleur tour en 1'32\"456", "le meilleur tour en une minute trente-deux secondes quatre cent cinquante-six"),
    ("un 200 m en 1'44\"22", "un deux cents mètres en une minute quarante-quatre secondes vingt-deux"),
    ("en 1:29.708", "en une minute vingt-neuf secondes sept cent huit"),
    ("en 2 h 05 min 12 s", "en deux heures cinq minutes douze secondes"),
    ("en 3h12min", "en trois heures douze minutes"),
    ("à 0,45 s de la gagnante", "à zéro virgule quarante-cinq seconde de la gagnante"),
    ("à 12 s", "à douze secondes"),
    ("le Vendée Globe en 74 j 3 h", "le Vendée Globe en soixante-quatorze jours trois heures"),
    ("le Racing 92", "le Racing quatre-vingt-douze"),
    ("le 100 m en 9\"86", "le cent mètres en neuf secondes quatre-vingt-six"),
    ("avec 1'12\" d'avance", "avec une minute douze secondes d'avance"),
    ("l'ASSE en Ligue 2", "l'a èss èss e en Ligue deux"),
    # hundredths and thousandths keep their leading zero
    ("le 100 m papillon en 49\"03", "le cent mètres papillon en quarante-neuf secondes zéro trois"),
    ("en 1'08\"05", "en une minute huit secondes zéro cinq"),
    ("en 1:10.027", "en une minute dix secondes zéro vingt-sept"),
    ("à 5\"3 du vainqueur", "à cinq secondes trois du vainqueur"),
    ("les 100 derniers mètres en 10''2", "les cent derniers mètres en dix secondes deux"),
    # a race time in hours, minutes and seconds with colons
    ("remporté en 2:05:42", "remporté en deux heures cinq minutes quarante-deux secondes"),
    ("l'UTMB en 19:37:43", "l'u té èm bé en dix-neuf heures trente-sept minutes quarante-trois secondes"),
    ("bouclé en 1:02:01.", "bouclé en une heure deux minutes une seconde."),
    ("à 14:30, le match", "à quatorze heures trente, le match"),
    # a marathon time: hours, then minutes and seconds in primes
    ("en 2h01'09\" à Berlin", "en deux heures une minute neuf secondes à Berlin"),
    ("en 2 h 05' 42''", "en deux heures cinq minutes quarante-deux secondes"),
    ("bouclé en 1h12'30\"", "bouclé en une heure douze minutes trente secondes"),
    # a penalty after a minute written as an ordinal; shoot-outs and extra time
    ("un triplé (12e, 78e s.p.)", "un triplé (douzième, soixante-dix-huitième sur penalty)"),
    ("le but de la victoire (90e+2 sp)", "le but de la victoire (quatre-vingt-dixième minute plus deux sur penalty)"),
    ("qualifié aux t.a.b. (4-3)", "qualifié aux tirs au but (quatre à trois)"),
    ("victoire 2-1 a.p.", "victoire deux à un après prolongation."),
    ("une victoire a.p. face à Lens", "une victoire après prolongation face à Lens"),
    # rounds of a tournament
    ("éliminé en 1/8e de finale", "éliminé en huitièmes de finale"),
    ("qualifiées pour les 1/4 de finale", "qualifiées pour les quarts de finale"),
    ("le 1/4 de finale aller", "le quart de finale aller"),
    ("au 1/8e de finale", "au huitième de finale"),
    ("battu en 1/2 finale", "battu en demi-finale"),
    ("les 1/2 finales", "les demi-finales"),
    ("un 1/16e de finale", "un seizième de finale"),
    # sets written with slashes, in a run
    ("battu 6/4, 6/3", "battu six quatre, six trois"),
    ("s'impose 7/6 (7/4), 6/3", "s'impose sept six (sept quatre), six trois"),
    # relays
    ("le 4x100 m", "le quatre fois cent mètres"),
    ("le relais 4 x 400 m", "le relais quatre fois quatre cents mètres"),
    ("le Tournoi des VI Nations", "le Tournoi des six Nations"),
    # a gap under a second is said in tenths, hundredths or thousandths
    ("à 0\"34 de la gagnante", "à trente-quatre centièmes de la gagnante"),
    ("battu de 0\"01", "battu d'un centième"),
    ("à 0\"007 près", "à sept millièmes près"),
    ("à 0\"4 du vainqueur", "à quatre dixièmes du vainqueur"),
)
def test_sport(written, spoken):
    assert normalise(written) == spoken


# --- 10. abbreviations and small words --------------------------------------------------------

@table(
    ("en 14 ap. J.-C. à Nola", "en quatorze après Jésus-Christ à Nola"),
    ("vers 120 apr. J.-C. en Gaule", "vers cent vingt après Jésus-Christ en Gaule"),
    ("en 52 av. J.-C. à Alésia", "en cinquante-deux avant Jésus-Christ à Alésia"),
    ("le prévenu, J.-C. Martin, était absent", "le prévenu, ji cé Martin, était absent"),
    ("selon J.-P. Dupont", "selon ji pé Dupont"),
    ("le numéro no 5", "le numéro numéro cinq"),
    ("au Journal officiel no 125", "au Journal officiel numéro cent vingt-cinq"),
    ("le nº 12", "le numéro douze"),
    ("un rapport de 250 p. remis hier", "un rapport de deux cent cinquante pages remis hier"),
    ("(cf. p. 34)", "(confer page trente-quatre)"),
    ("pendant 72 h", "pendant soixante-douze heures"),
    ("en garde à vue 48h", "en garde à vue quarante-huit heures"),
    ("cf le jugement", "confer le jugement"),
    ("avec 8 pts d'avance", "avec huit points d'avance"),
    ("daté de 1450 env.", "daté de mille quatre cent cinquante environ."),
    ("12 000 hab.", "douze mille habitants."),
    ("un 4x4 de location", "un quatre-quatre de location"),
    ("les 4X4 et les 6x6", "les quatre-quatre et les six-six"),
    ("le relais 4x100 m", "le relais quatre fois cent mètres"),
    ("Dupont et Cie", "Dupont et compagnie"),
    ("tiré à 500 000 ex.", "tiré à cinq cent mille exemplaires."),
    ("(cf. p. 12-15)", "(confer pages douze à quinze)"),
    ("au km 42, le peloton", "au kilomètre quarante-deux, le peloton"),
    ("dès le km 3", "dès le kilomètre trois"),
    ("le porte\u2011parole", "le porte-parole"),
    ("2020\u20122025", "deux mille vingt à deux mille vingt-cinq"),
    ("la Seine\u2011Saint\u2011Denis", "la Seine-Saint-Denis"),
    ("l'article 49, al. 3, de la Constitution", "l'article quarante-neuf, alinéa trois, de la Constitution"),
    ("cuisson à 200 °C (th. 6-7)", "cuisson à deux cents degrés Celsius (thermostat six à sept)"),
    ("au 2d tour", "au second tour"),
    ("la 2de guerre mondiale", "la seconde guerre mondiale"),
    ("les élèves de 2de", "les élèves de seconde"),
)
def test_abbreviations_and_small_words(written, spoken):
    assert normalise(written) == spoken


# --- 11. measures the way people say them; inclusive writing ---------------------------------

@table(
    ("il a franchi 5,80 m", "il a franchi cinq mètres quatre-vingts"),
    ("elle mesure 1,75 m", "elle mesure un mètre soixante-quinze"),
    ("un pivot de 2,11 m", "un pivot de deux mètres onze"),
    ("une barre à 6,2 m", "une barre à six mètres vingt"),
    ("un mur de 0,80 m", "un mur de quatre-vingts centimètres"),
    ("un saut de 8,00 m", "un saut de huit virgule zéro zéro mètres"),
    ("un marathon de 42,195 km", "un marathon de quarante-deux virgule cent quatre-vingt-quinze kilomètres"),
    ("en 2 h 30", "en deux heures trente"),
    ("3,65 €", "trois euros soixante-cinq"),
    ("les adolescent·es", "les adolescentes et adolescents"),
    ("les ami·e·s", "les amies et amis"),
    ("les infirmier·es", "les infirmières et infirmiers"),
    ("les sportif·ve·s", "les sportives et sportifs"),
    ("tous·tes", "toutes et tous"),
    # a blood pressure is two numbers, not a fraction
    ("une tension de 14/9", "une tension de quatorze neuf"),
    ("la pression artérielle était de 16/10 à l'arrivée", "la pression artérielle était de seize dix à l'arrivée"),
    ("une tension artérielle mesurée à 12/8", "une tension artérielle mesurée à douze huit"),
    ("une note de 16/20", "une note de seize sur vingt"),
)
def test_measures_and_inclusive_writing(written, spoken):
    assert normalise(written) == spoken


# --- 12. agreement ----------------------------------------------------------------------------

@table(
    ("31 interpellations", "trente et une interpellations"),
    ("41 communes", "quarante et une communes"),
    ("21 sépultures", "vingt et une sépultures"),
    ("1 001 patientes", "mille une patientes"),
    ("61 entreprises", "soixante et une entreprises"),
    ("71 réformes", "soixante et onze réformes"),
    ("61 IRM par jour", "soixante et une i èr èm par jour"),
    ("21 PME", "vingt et une pé èm e"),
    ("21 CHU", "vingt et un cé ache u"),
    ("81 victimes", "quatre-vingt-une victimes"),
    ("21 greffes", "vingt et une greffes"),
    ("1 minute", "une minute"),
    ("21 nouvelles", "vingt et une nouvelles"),
    ("51 propositions", "cinquante et une propositions"),
    # masculine nouns stay masculine, also those with a feminine-looking ending
    ("21 comités", "vingt et un comités"),
    ("31 musées", "trente et un musées"),
    ("21 services", "vingt et un services"),
    ("41 lycées", "quarante et un lycées"),
    ("21 buts", "vingt et un buts"),
    ("1 an", "un an"),
    # a noun said once for two numbers agrees with both
    ("adopté par 341 voix contre 221.", "adopté par trois cent quarante et une voix contre deux cent vingt et une."),
    ("289 voix contre 251 pour le texte", "deux cent quatre-vingt-neuf voix contre deux cent cinquante et une pour le texte"),
    ("31 femmes sur 41 ont répondu", "trente et une femmes sur quarante et une ont répondu"),
    ("entre 21 et 31 communes", "entre vingt et une et trente et une communes"),
    ("de 41 à 51 voix", "de quarante et une à cinquante et une voix"),
    ("1 voix contre 1", "une voix contre une"),
    ("21 buts contre 31.", "vingt et un buts contre trente et un."),
    ("21 voix contre 31 députés", "vingt et une voix contre trente et un députés"),
    ("21 communes et 31 villages", "vingt et une communes et trente et un villages"),
    ("de 21 à 31 ans", "de vingt et un à trente et un ans"),
    ("le 21 à 11 heures", "le vingt et un à onze heures"),
    # nouns no ending shows are feminine, from the common nouns of data/feminine_nouns_fr.txt
    ("1 gélule matin et soir", "une gélule matin et soir"),
    ("21 pilules", "vingt et une pilules"),
    ("1 cuillère à café", "une cuillère à café"),
    ("41 ampoules", "quarante et une ampoules"),
    ("31 armoires", "trente et une armoires"),
    ("1 seringue", "une seringue"),
    ("21 hydrocarbures", "vingt et un hydrocarbures"),
    ("31 préjudices", "trente et un préjudices"),
    # a determiner or pronoun after a number is not what it counts
    ("41 cette année", "quarante et un cette année"),
    ("il en a vu 21 cette saison", "il en a vu vingt et un cette saison"),
    ("1 cet été", "un cet été"),
    ("31 celles-ci", "trente et un celles-ci"),
    # a number standing for a noun counted before it in the sentence agrees with it
    ("3 usines, dont 1 en Alsace", "trois usines, dont une en Alsace"),
    ("12 victimes, dont 1 enfant", "douze victimes, dont un enfant"),
    ("2 buts, dont 1 sur penalty", "deux buts, dont un sur penalty"),
    ("421 voix pour, 61 contre et 31 abstentions", "quatre cent vingt et une voix pour, soixante et une contre et trente et une abstentions"),
    ("21 voix pour et 31 contre.", "vingt et une voix pour et trente et une contre."),
    ("Sur 41 communes, 21 ont voté", "Sur quarante et une communes, vingt et une ont voté"),
    ("Des 31 personnes, 21 n'ont rien dit", "Des trente et une personnes, vingt et une n'ont rien dit"),
    ("21 ont été blessés.", "vingt et un ont été blessés."),
    ("41 communes. 21 ont voté", "quarante et une communes. vingt et un ont voté"),
    ("Sur 31 communes, en 2021 ont été recensés", "Sur trente et une communes, en deux mille vingt et un ont été recensés"),
    # counted, "mort" is a dead person
    ("1 mort et 21 blessés", "un mort et vingt et un blessés"),
    ("21 morts", "vingt et un morts"),
    # across a range after "en", "dans", "sous", "pendant"
    ("atteinte en 1 à 2 heures", "atteinte en une à deux heures"),
    ("dans 21 à 31 semaines", "dans vingt et une à trente et une semaines"),
    ("sous 1 à 3 semaines", "sous une à trois semaines"),
    # a noun in a preposition ("face à", "grâce à") is not counted
    ("s'est imposé 3-1 face à Lens", "s'est imposé trois à un face à Lens"),
    ("mené 2-1 grâce à un penalty", "mené deux à un grâce à un penalty"),
    # a house number before a street's name is not a count of streets
    ("à la mairie, 1 place de l'Hôtel-de-Ville", "à la mairie, un place de l'Hôtel-de-Ville"),
    ("au 21 rue Victor-Hugo", "au vingt et un rue Victor-Hugo"),
    ("31 avenue de la République", "trente et un avenue de la République"),
    ("1 allée des Tilleuls", "un allée des Tilleuls"),
    ("il reste 1 place de parking", "il reste une place de parking"),
    ("21 places assises", "vingt et une places assises"),
)
def test_feminine_agreement(written, spoken):
    assert normalise(written) == spoken


def test_common_feminine_nouns_yield_to_a_project_masculine(tmp_path):
    (tmp_path / "lexicon.toml").write_text('[grammar]\nmasculine = ["gélule"]\n', encoding="utf-8")
    assert "gélule" in LEX.feminine_nouns and "pilule" in LEX.feminine_nouns
    nouns = load_lexicon(tmp_path).feminine_nouns
    assert "gélule" not in nouns and "pilule" in nouns


def test_feminine_nouns_are_data_a_project_can_extend(tmp_path):
    (tmp_path / "lexicon.toml").write_text('[grammar]\nfeminine = ["IRM"]\nmasculine = ["greffe"]\n',
                                           encoding="utf-8")
    nouns = load_lexicon(tmp_path).feminine_nouns
    assert "irm" in nouns and "greffe" not in nouns and "voiture" in nouns
    assert "greffe" in LEX.feminine_nouns


# --- elision ----------------------------------------------------------------------------------

@table(
    ("une hausse de 1,2 %", "une hausse d'un virgule deux pour cent"),
    ("plus de 1 million", "plus d'un million"),
    ("de 1 h à 3 h", "d'une heure à trois heures"),
    ("de 11 euros", "de onze euros"),
)
def test_elision(written, spoken):
    assert normalise(written) == spoken


def test_cardinals_still_agree_with_num2words_in_sentences():
    for value in (1944, 1789, 2024, 80, 71, 999, 1_000_001):
        assert normalise(f"en {value} ans") == f"en {num2words(value, lang='fr')} ans"


# --- the evaluation set -----------------------------------------------------------------------

EVALUATION = [Path(__file__).parent / "fixtures" / name
              for name in ("normalise_eval_fr.tsv", "normalise_eval_fr_2.tsv", "normalise_eval_fr_3.tsv",
                           "normalise_eval_fr_4.tsv", "normalise_eval_fr_5.tsv",
                           "normalise_eval_fr_6.tsv", "normalise_eval_fr_7.tsv",
                           "normalise_eval_fr_8.tsv", "normalise_eval_fr_9.tsv",
                           "normalise_eval_fr_10.tsv")]


def heard(text: str) -> str:
    """What a listener can tell apart: words in lower case (punctuation, hyphens not heard)."""
    return " ".join(re.sub(r"[^\w]+|_", " ", text.lower()).split())


def test_evaluation_set_is_read_right_at_least_95_percent():
    """`tests/fixtures/normalise_eval_fr*.tsv` (also `python -m benchmarks french_eval`)."""
    rows = [line.split("\t") for path in EVALUATION for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    assert len(rows) >= 250
    wrong = [(written, normalise(written)) for _, written, spoken in rows
             if heard(normalise(written)) != heard(spoken)]
    assert len(wrong) <= 0.05 * len(rows), wrong


def test_adding_a_reading_touches_only_the_say_table(tmp_path):
    from audioarticles.normalise.fr.lexicon import add_say_entry

    original = ('# our readings\n[abbreviations.anywhere]\n"etc." = "et caetera"\n\n'
                '[say] # names\n"etc." = "etc"\n\n[grammar]\nfeminine = ["IRM"]\n')
    (tmp_path / "lexicon.toml").write_text(original, encoding="utf-8")
    assert add_say_entry(tmp_path, "etc.", "ètsétéra")[1] == "etc"
    assert add_say_entry(tmp_path, 'Le "Monde"', "le monde")[1] is None
    text = (tmp_path / "lexicon.toml").read_text(encoding="utf-8")
    assert text == original.replace('"etc." = "etc"', '"Le \\"Monde\\"" = "le monde"\n"etc." = "ètsétéra"')
    lexicon = load_lexicon(tmp_path)
    assert lexicon.say["etc."] == "ètsétéra" and lexicon.abbreviations["anywhere"]["etc."] == "et caetera"


# --- dates beside the list: day spans and short dates ---------------------------------

@table(
    ("du 5-7 juillet", "du cinq au sept juillet"),
    ("les 14-15 août", "les quatorze à quinze août"),
    ("le 10/12 à Paris", "le dix décembre à Paris"),
    ("jusqu'au 3/01", "jusqu'au trois janvier"),
    ("le ratio 3/2", "le ratio trois sur deux"),
    ("une note de 14/20", "une note de quatorze sur vingt"),
    ("le 45/12", "le quarante-cinq sur douze"),
    # a commemoration named by its date
    ("les cérémonies du 11-Novembre", "les cérémonies du onze novembre"),
    ("le 8-Mai et le 14-Juillet", "le huit mai et le quatorze juillet"),
    ("le 1er-Mai", "le premier mai"),
)
def test_day_spans_and_short_dates(written, spoken):
    assert normalise(written) == spoken
