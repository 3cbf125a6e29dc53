"""Third-party engines: a distribution that declares an `audioarticles.engines` entry point is
found, its settings and voice options are checked like the built-in engines', and a broken one
is named. The distribution is real: a package and its .dist-info folder on the path of a fresh
interpreter (no registry is patched)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROBOT = '''
"""A test engine: a tone whose length follows the text."""
import math
from array import array

from pydantic import Field

from audioarticles.engines.base import Engine
from audioarticles.model import Audio
from audioarticles.validation import Section


class RobotSettings(Section):
    speed: float = Field(1.0, gt=0, le=4)


class RobotOptions(Section):
    pitch_hz: int = Field(220, ge=50, le=2000)


class RobotEngine(Engine):
    NAME = "robot"
    DISPLAY_NAME = "Robot Voice 1.0"
    Settings = RobotSettings
    VoiceOptions = RobotOptions

    def __init__(self, speed: float = 1.0):
        self.speed = speed

    @classmethod
    def available(cls):
        return True, ""

    def cache_identity(self, voice):
        return f"robot/{self.speed}/{self.options(voice).pitch_hz}"

    def synthesize(self, text, voice):
        rate, pitch = 22050, self.options(voice).pitch_hz
        count = int(rate * min(3.0, 0.03 * len(text)) / self.speed)
        tone = array("h", (int(8000 * math.sin(2 * math.pi * pitch * i / rate))
                           for i in range(count)))
        return Audio(pcm=tone.tobytes(), sample_rate=rate)
'''

ARTICLE = ("Budget voté\n\nLe conseil municipal a voté le budget hier soir. "
           "Les travaux commencent en mars.\n")


def install(site: Path, entry_points: str, module: str = ROBOT) -> None:
    """A package `robot_voice` and its dist-info, as pip would leave them in site-packages."""
    (site / "robot_voice").mkdir(parents=True)
    (site / "robot_voice" / "__init__.py").write_text(module, encoding="utf-8")
    info = site / "robot_voice-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: robot-voice\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[audioarticles.engines]\n{entry_points}\n")


def run(project: Path, site: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(site), *filter(None, [os.environ.get("PYTHONPATH")])])}
    return subprocess.run([sys.executable, "-m", "audioarticles", "--project", str(project),
                           *args], capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture
def robot_project(tmp_path):
    site, project = tmp_path / "site-packages", tmp_path / "project"
    project.mkdir()
    (project / "voices").mkdir()
    (project / "voices" / "robot.toml").write_text(
        'engine = "robot"\ndescription = "Robot"\n[options]\npitch_hz = 330\n')
    (project / "a.txt").write_text(ARTICLE, encoding="utf-8")
    return project, site


def test_an_engine_from_an_entry_point_voices_an_article(robot_project):
    project, site = robot_project
    install(site, "robot = robot_voice:RobotEngine")
    (project / "audioarticles.toml").write_text("[robot]\nspeed = 2.0\n")
    result = run(project, site, "convert", str(project / "a.txt"), "--voice", "robot", "--json")
    assert result.returncode == 0, result.stderr
    [episode] = json.loads(result.stdout)["episodes"]
    assert episode["engine"] == "robot" and episode["voice"] == "robot"
    assert episode["disclosure"].endswith("Synthèse vocale : Robot Voice 1.0.")
    assert (project / "output" / "feed.xml").is_file()


def test_a_third_party_engine_settings_and_options_are_checked(robot_project):
    project, site = robot_project
    install(site, "robot = robot_voice:RobotEngine")
    (project / "audioarticles.toml").write_text("[robot]\nsped = 2.0\n")
    result = run(project, site, "episodes")
    assert result.returncode == 2
    assert result.stderr == ("error: audioarticles.toml: unknown key `sped` in [robot]; did you "
                             "mean `speed`?\n")
    (project / "audioarticles.toml").unlink()
    (project / "voices" / "robot.toml").write_text('engine = "robot"\n[options]\npitch_hz = 9\n')
    result = run(project, site, "episodes")
    assert result.returncode == 2
    assert result.stderr == ("error: voices/robot.toml [options]: pitch_hz = 9: expected a whole "
                             "number from 50 to 2000\n")


def test_without_the_distribution_the_engine_is_unknown(robot_project):
    project, site = robot_project
    site.mkdir()
    result = run(project, site, "episodes")
    assert result.returncode == 2
    assert result.stderr == ("error: voices/robot.toml: unknown engine 'robot'; valid engines: "
                             "edge, espeak, gtts, piper\n")


@pytest.mark.parametrize("entry_point, module, reason", [
    ("robot = robot_voice:RobotEngine", "raise ImportError('needs libfoo')",
     "could not be imported: ImportError: needs libfoo"),
    ("robot = robot_voice:Missing", ROBOT, "could not be imported: AttributeError: "),
    ("robot = robot_voice:RobotSettings", ROBOT, "is not an audioarticles Engine subclass"),
    ("espeak = robot_voice:RobotEngine", ROBOT, "has the name of a built-in engine"),
])
def test_a_broken_engine_is_named_and_does_not_stop_the_others(robot_project, entry_point,
                                                              module, reason):
    project, site = robot_project
    install(site, entry_point, module)
    name = entry_point.split(" =")[0]
    target = entry_point.split("= ")[1]
    if name != "robot":
        (project / "voices" / "robot.toml").unlink()
    result = run(project, site, "convert", str(project / "a.txt"), "--voice", "fr-espeak")
    if name == "robot":  # the project's robot profile cannot load: the error says why
        assert result.returncode == 2
        assert result.stderr.splitlines()[-1].startswith(
            f"error: voices/robot.toml: engine 'robot' could not be loaded: {target} (entry "
            f"point `robot` of robot-voice) {reason}")
    else:  # the built-in engine is kept; the clash is a warning
        assert result.returncode == 0, result.stderr
        assert (f"engine espeak is not available: {target} (entry point `espeak` of "
                f"robot-voice) {reason}") in result.stderr
