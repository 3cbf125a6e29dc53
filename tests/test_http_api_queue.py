"""The HTTP API with `[queue]`: PUT hands the article to `audioarticles worker` processes
(real Dramatiq workers on a throwaway Redis); the workers' outcomes reach the CMS as signed
webhooks (ready once the site shows the episode; failed once the article is dead-lettered)."""

from __future__ import annotations

import time

import httpx
import pytest

from cms_helpers import SECRET, ApiProcess, Receiver, token
from queue_helpers import Workers, queue_project

pytestmark = pytest.mark.slow


def test_put_through_the_queue_and_the_cms_hears_the_workers(redis_server, tmp_path):
    with Receiver() as receiver:
        project = queue_project(tmp_path / "newsroom", redis_server.url, max_retries=1,
                                min_backoff_s=0.2, extra=f"""
[podcast]
base_url = "https://news.example.org/audio/"

[fetch]
allow_hosts = ["localhost"]

[api.webhooks]
url = "{receiver.url}"
retry_base_s = 0.5
""")
        env = {"AUDIOARTICLES_WEBHOOK_SECRET": SECRET}
        write = token(project.root, "cms")
        server = ApiProcess(project.root, env)
        headers = {"Authorization": f"Bearer {write}"}
        try:
            with Workers(project.root, processes=1, threads=2, env=env), \
                    httpx.Client(base_url=server.url, trust_env=False, timeout=30) as client:
                answer = client.put("articles/cms-q1", headers=headers, json={
                    "title": "Le tramway arrive", "text": "La ligne ouvre lundi au port."})
                assert answer.status_code == 202, answer.text
                poison = client.put("articles/cms-q2", headers=headers, json={
                    "title": "Rien à lire", "html": "<p></p>"})
                assert poison.status_code == 202, poison.text

                ready = receiver.next("episode.ready", "cms-q1", timeout=120)
                # sent once the rebuild made it public: its audio is there to fetch
                audio = ready["data"]["audio_url"].removeprefix(
                    "https://news.example.org/audio/")
                assert (project.output / audio).is_file()
                failed = receiver.next("episode.failed", "cms-q2", timeout=120)
                assert "no article text found" in failed["data"]["error"]

                deadline = time.monotonic() + 30
                while True:
                    status = client.get("articles/cms-q1", headers=headers).json()
                    if status["status"] == "ready" or time.monotonic() > deadline:
                        break
                    time.sleep(0.2)
                assert status["status"] == "ready" and status["episode"]["guid"] == "cms-q1"
                dead = client.get("articles/cms-q2", headers=headers).json()
                assert dead["status"] == "failed" and "no article text found" in dead["error"]
        finally:
            server.stop()
