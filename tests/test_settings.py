"""The settings schema: every file a publisher edits is checked when the project loads, and each
mistake is one line naming the file, the key and the fix (exit 2, no traceback)."""

from __future__ import annotations

import pytest

from audioarticles.cli import cli
from audioarticles.config import BoilerplateFile, LexiconFile, OptoutFile, Settings, read_checked
from audioarticles.errors import UsageError

# (audioarticles.toml, the error line) — the examples of issue 12 first
BAD_SETTINGS = [
    ('[podcast]\ntitel = "La Gazette"\n',
     "audioarticles.toml: unknown key `titel` in [podcast]; did you mean `title`?"),
    ('podcast = "x"\n',
     'audioarticles.toml: podcast = "x": expected a table; write [podcast] on a line of its '
     'own, its keys below'),
    ("audio = [1]\n",
     "audioarticles.toml: audio = [1]: expected a table; write [audio] on a line of its own, "
     "its keys below"),
    ('[podcast]\nmedium = "radio"\n',
     'audioarticles.toml: [podcast] medium = "radio": expected one of "podcast", "music", '
     '"video", "film", "audiobook", "newsletter", "blog", "publisher", "course"'),
    ('[feeds]\nname = "sante"\n',
     'audioarticles.toml: feeds = { name = "sante" }: expected tables; write each as [[feeds]] '
     'on a line of its own, its keys below'),
    ('[[feeds]]\nname = "sante"\ntitel = "Santé"\ncategories = "Santé"\n',
     "audioarticles.toml: [[feeds]] number 1 title is missing; add it (text (in quotes))\n"
     "error: audioarticles.toml: unknown key `titel` in [[feeds]] number 1; did you mean "
     "`title`?"),
    ("[pickup]\nretries = 0\n",
     "audioarticles.toml: [pickup] retries = 0: expected a whole number from 1 to 10"),
    ('[limits]\nmax_input_mb = "lots"\n',
     'audioarticles.toml: [limits] max_input_mb = "lots": expected a number above 0, up to '
     '1024'),
    ('[audio]\nbitrate = "12k"\n',
     'audioarticles.toml: [audio] bitrate = "12k": not an MP3 bitrate at 44100 Hz; use one of '
     '"32k", "40k", "48k", "56k", "64k", "80k", "96k", "112k", "128k", "160k", "192k", '
     '"224k", "256k", "320k"'),
    ("[audio.pauses]\nsentence_ms = 99999999999\n",
     "audioarticles.toml: [audio.pauses] sentence_ms = 99999999999: expected a whole number "
     "from 0 to 60000"),
    ("[limits]\nmax_article_chars = -1\n",
     "audioarticles.toml: [limits] max_article_chars = -1: expected a whole number from 100 "
     "to 2000000"),
    # the rest of the schema: sections, types, ranges, choices
    ('[podcats]\ntitle = "x"\n',
     "audioarticles.toml: unknown section [podcats]; did you mean [podcast]?"),
    ('title = "x"\n',
     "audioarticles.toml: unknown key `title` at the top level; did you mean [podcast] title?"),
    ("[espeak]\nworker = 2\n",
     "audioarticles.toml: unknown key `worker` in [espeak]; did you mean `workers`?"),
    ("[espeak]\nworkers = 0\n",
     "audioarticles.toml: [espeak] workers = 0: expected a whole number from 1 to 64"),
    ('[gtts]\nattempts = "five"\n',
     'audioarticles.toml: [gtts] attempts = "five": expected a whole number from 1 to 20'),
    ("[audio]\nsample_rate = 44000\n",
     "audioarticles.toml: [audio] sample_rate = 44000: expected one of 22050, 24000, 32000, "
     "44100, 48000"),
    ('[audio]\nsample_rate = 24000\nbitrate = "192k"\n',
     'audioarticles.toml: [audio] bitrate = "192k": not an MP3 bitrate at 24000 Hz; use one of '
     '"8k", "16k", "24k", "32k", "40k", "48k", "56k", "64k", "80k", "96k", "112k", "128k", '
     '"144k", "160k"'),
    ("[audio]\nloudness_lufs = 3.0\n",
     "audioarticles.toml: [audio] loudness_lufs = 3.0: expected a number from -40 to -5"),
    ('[audio]\ndual_mono = "yes"\n',
     'audioarticles.toml: [audio] dual_mono = "yes": expected true or false'),
    ("[audio]\ndual_mono = 1\n",
     "audioarticles.toml: [audio] dual_mono = 1: expected true or false"),
    ("[podcast]\nfeed_limit = 2.5\n",
     "audioarticles.toml: [podcast] feed_limit = 2.5: expected a whole number from 1 to "
     "100000"),
    ('[podcast]\nfeed_limit = "10"\n',
     'audioarticles.toml: [podcast] feed_limit = "10": expected a whole number from 1 to '
     '100000'),
    ("[podcast]\ntimezone = \"Europe/Pariss\"\n",
     'audioarticles.toml: [podcast] timezone = "Europe/Pariss": not a known time zone; use an '
     'IANA name such as "Europe/Paris" or "America/Montreal"'),
    ('[podcast]\nlanguage = "fr.numbers"\n',
     'audioarticles.toml: [podcast] language = "fr.numbers": not an ISO 639 language code; '
     'use e.g. "fr", "fr-CA" or "en"'),
    ("[podcast]\ncategory = 3\n",
     "audioarticles.toml: [podcast] category = 3: expected a list of texts, e.g. [\"...\"]"),
    ('[editorial]\nembargo = "never"\n',
     'audioarticles.toml: [editorial] embargo = "never": expected one of "article-date", '
     '"none"'),
    ('[audio.intro]\njingle_fade_in_ms = -1\n',
     "audioarticles.toml: [audio.intro] jingle_fade_in_ms = -1: expected a whole number from 0 "
     "to 60000"),
    ('[fetch]\ntimeout_s = inf\n',
     "audioarticles.toml: [fetch] timeout_s = inf: expected a number above 0, up to 600"),
    ('[voice]\ndefault = "fr-robot"\n',
     'audioarticles.toml: [voice] default = "fr-robot" is not a voice profile; valid voices: '
     'fr, fr-ca, fr-edge, fr-espeak, fr-piper (profiles are packaged or in voices/)'),
    ('[podcast]\ndisclosure = "Voix de synthèse."\n',
     'audioarticles.toml: [podcast] disclosure has moved; write it as text = "..." under '
     '[disclosure]'),
    # checks that used to wait for a conversion or a build (issue 13): now at load
    ('[podcast]\ncategory = "Technologie"\n',
     "audioarticles.toml: [podcast] category = \"Technologie\": 'Technologie' is not an Apple "
     "Podcasts category; did you mean 'Technology'?"),
    ("[podcast]\ncategory = []\n",
     'audioarticles.toml: [podcast] category = []: is empty; Apple Podcasts needs one, e.g. '
     '"News"'),
    ('[podcast]\nbase_url = "audio.example.org/podcast"\n',
     'audioarticles.toml: [podcast] base_url = "audio.example.org/podcast": not an absolute '
     'http(s) URL; write it in full, e.g. "https://example.org/podcast/", or leave it empty'),
    ('[podcast]\nfunding_url = "ftp://example.org/"\n',
     'audioarticles.toml: [podcast] funding_url = "ftp://example.org/": not an absolute http(s) '
     'URL; write it in full, e.g. "https://example.org/podcast/", or leave it empty'),
    (f'[podcast]\ntxt_purpose = "{"v" * 129}"\n',
     f'audioarticles.toml: [podcast] txt_purpose = "{"v" * 58}…: is 129 characters; the '
     'Podcasting 2.0 namespace allows 128: shorten it'),
    ('[podcast]\nimage = "art/cover.jpg"\n',
     'audioarticles.toml: [podcast] image = "art/cover.jpg": no such file; give the cover\'s '
     'path relative to the project folder, or remove the key'),
    ('[[feeds]]\nname = "sport"\ntitle = "Sport"\ncategories = ["Sport"]\nimage = "s.png"\n',
     'audioarticles.toml: [[feeds]] number 1 image = "s.png": no such file; give the cover\'s '
     'path relative to the project folder, or remove the key'),
    ('[pickup]\npodping_url = "podping"\n',
     'audioarticles.toml: [pickup] podping_url = "podping": not an absolute http(s) URL; write '
     'it in full, e.g. "https://example.org/podcast/", or leave it empty'),
    ('[audio.intro]\ntext = "Voici {titre}."\n',
     'audioarticles.toml: [audio.intro] text = "Voici {titre}.": unknown field {titre}; valid '
     'fields: {title}, {podcast}, {publication}, {author}, {date}'),
    ('[audio.outro]\njingle = "fin.mp3"\n',
     'audioarticles.toml: [audio.outro] jingle = "fin.mp3": no such file; give the jingle\'s '
     'path relative to the project folder, or remove the key'),
    ('[disclosure]\nengine_line = "Voix : {voix}."\n',
     'audioarticles.toml: [disclosure] engine_line = "Voix : {voix}.": unknown field {voix}; '
     'valid fields: {engine}'),
]


@pytest.mark.parametrize("toml, message", BAD_SETTINGS)
def test_a_settings_mistake_is_one_line_naming_the_key_and_the_fix(runner, project, toml,
                                                                   message):
    (project / "audioarticles.toml").write_text(toml, encoding="utf-8")
    for command in (["build"], ["episodes"]):
        result = runner.invoke(cli, command)
        assert result.exit_code == 2, result.output
        assert result.stderr == f"error: {message}\n"
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_every_mistake_of_a_file_is_reported_one_per_line(runner, project):
    (project / "audioarticles.toml").write_text(
        '[podcast]\ntitel = "x"\nfeed_limit = 0\n[audio]\nbitrate = "12k"\n', encoding="utf-8")
    result = runner.invoke(cli, ["build"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: audioarticles.toml: [podcast] feed_limit = 0: expected a whole number from 1 "
        "to 100000",
        "error: audioarticles.toml: unknown key `titel` in [podcast]; did you mean `title`?",
        'error: audioarticles.toml: [audio] bitrate = "12k": not an MP3 bitrate at 44100 Hz; '
        'use one of "32k", "40k", "48k", "56k", "64k", "80k", "96k", "112k", "128k", "160k", '
        '"192k", "224k", "256k", "320k"']


def test_defaults_come_from_the_schema_and_valid_values_are_kept(project):
    settings = Settings(project)
    assert settings.section("audio")["bitrate"] == "64k"
    assert settings.section("audio")["pauses"]["sentence_ms"] == 350
    assert settings.section("audio")["outro"]["jingle_fade_out_ms"] == 1500
    assert settings.section("espeak") == {"workers": None}
    settings = Settings(project, {"audio": {"bitrate": "128k", "loudness_lufs": -18,
                                            "pauses": {"sentence_ms": 0}},
                                  "podcast": {"category": "News > Daily News"},
                                  "espeak": {"workers": 2}})
    assert settings.values.audio.bitrate == "128k"
    assert settings.values.audio.loudness_lufs == -18.0  # an integer is a number
    assert settings.section("audio")["pauses"] == {**Settings(project).section("audio")["pauses"],
                                                   "sentence_ms": 0}
    assert settings.section("podcast")["category"] == ["News > Daily News"]
    assert settings.section("espeak") == {"workers": 2}


# ---- voice profiles --------------------------------------------------------------------------

BAD_PROFILES = [
    ('engine = "espek"\n',
     "voices/mine.toml: unknown engine 'espek'; did you mean 'espeak'? valid engines: edge, "
     "espeak, gtts, piper"),
    ('engine = "robot"\n',
     "voices/mine.toml: unknown engine 'robot'; valid engines: edge, espeak, gtts, piper"),
    ('description = "x"\n',
     "voices/mine.toml: engine is missing; add it (non-empty text)"),
    ('engine = "espeak"\nfalback = "fr"\n',
     "voices/mine.toml: unknown key `falback`; did you mean `fallback`?"),
    ('engine = "espeak"\n[options]\nrate = 9000\n',
     "voices/mine.toml [options]: rate = 9000: expected a whole number from 80 to 450"),
    ('engine = "espeak"\n[options]\nspeed = 200\n',
     "voices/mine.toml [options]: unknown key `speed`; valid keys: voice, rate, pitch"),
    ('engine = "gtts"\n[options]\nslow = "no"\n',
     'voices/mine.toml [options]: slow = "no": expected true or false'),
    ('engine = "edge"\n[options]\nrate = "10%"\n',
     'voices/mine.toml [options]: rate = "10%": expected text in the form ^[+-]\\d+%$, like '
     '"+0%"'),
    ('engine = "piper"\n[options]\nmodel = "fr_FR-siwis-medium"\nlength_scale = 0\n',
     "voices/mine.toml [options]: length_scale = 0: expected a number above 0, up to 10"),
    ('engine = "espeak"\n[pauses]\nsentence_ms = 99999999999\n',
     "voices/mine.toml: [pauses] sentence_ms = 99999999999: expected a whole number from 0 to "
     "60000"),
    ('engine = "espeak"\n[pauses]\nsentence = 300\n',
     "voices/mine.toml: unknown key `sentence` in [pauses]; did you mean `sentence_ms`?"),
]


@pytest.mark.parametrize("profile, message", BAD_PROFILES)
def test_a_voice_profile_mistake_names_the_profile_file(runner, project, profile, message):
    (project / "voices").mkdir()
    (project / "voices" / "mine.toml").write_text(profile, encoding="utf-8")
    result = runner.invoke(cli, ["build"])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: {message}\n"


def test_the_packaged_profiles_and_data_files_pass_their_schemas():
    from importlib import resources

    from audioarticles.config import check_voices

    data = resources.files("audioarticles") / "data"
    read_checked(data / "boilerplate_fr.toml", BoilerplateFile)
    read_checked(data / "lexicon_fr.toml", LexiconFile)
    read_checked(data / "optout.toml", OptoutFile)
    assert {"fr", "fr-ca", "fr-espeak"} <= set(check_voices(Settings(".")))


# ---- the project's other files ---------------------------------------------------------------

BAD_FILES = [
    ("boilerplate.toml", "drop_line = ['x']\n",
     "boilerplate.toml: unknown key `drop_line`; did you mean `drop_lines`?"),
    ("boilerplate.toml", "drop_lines = ['(']\n",
     'boilerplate.toml: drop_lines[0] = "(": not a regular expression (missing ), unterminated '
     'subpattern at position 0); fix the pattern'),
    ("boilerplate.toml", "[teasers]\nrubric_max_words = 'trois'\n",
     'boilerplate.toml: [teasers] rubric_max_words = "trois": expected a whole number from 0 '
     'to 50'),
    ("lexicon.toml", "[say]\nRGPD = 4\n",
     'lexicon.toml: [say] RGPD = 4: expected text (in quotes)'),
    ("lexicon.toml", "[acronym]\nwords = ['ONU']\n",
     "lexicon.toml: unknown section [acronym]; did you mean [acronyms]?"),
    ("lexicon.toml", "[abbreviations.before_names]\n'M.' = 'monsieur'\n",
     "lexicon.toml: unknown key `before_names` in [abbreviations]; did you mean `before_name`?"),
    ("optout.toml", "author = ['AFP']\n",
     "optout.toml: unknown key `author`; did you mean `authors`?"),
    ("optout.toml", "authors = ['']\n",
     'optout.toml: authors[0] = "": expected non-empty text'),
]


@pytest.mark.parametrize("name, text, message", BAD_FILES)
def test_project_data_files_are_checked_when_the_project_loads(runner, project, name, text,
                                                               message):
    (project / name).write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["episodes"])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: {message}\n"


def test_check_is_a_usage_error(project):
    with pytest.raises(UsageError):
        Settings(project, {"audio": {"bitrate": 64}})


def test_the_settings_reference_is_generated_from_the_schema():
    from pathlib import Path

    from audioarticles.settings_doc import reference

    written = (Path(__file__).parent.parent / "docs" / "SETTINGS.md").read_text(encoding="utf-8")
    assert written == reference(), \
        "regenerate it: python -m audioarticles.settings_doc > docs/SETTINGS.md"
