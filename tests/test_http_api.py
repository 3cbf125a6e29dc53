"""The HTTP API end to end: a real `audioarticles api` process (uvicorn) driven over HTTP with
httpx, real conversions (espeak), and a real webhook receiver that checks every signature."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from cms_helpers import SECRET, ApiProcess, Receiver, cli, token, write_project

ARTICLE = {"title": "Le tramway arrive à Brest",
           "text": "La ligne ouvre lundi entre la gare et le port. Elle compte douze stations.",
           "url": "https://www.example.org/brest-tramway", "author": "Anne Le Goff",
           "categories": ["Transports"], "summary": "La nouvelle ligne ouvre lundi."}


@pytest.fixture(scope="module")
def receiver():
    with Receiver() as hook:
        yield hook


@pytest.fixture(scope="module")
def service(tmp_path_factory, receiver):
    root = write_project(tmp_path_factory.mktemp("cms") / "newsroom", f"""
[fetch]
allow_hosts = ["localhost"]
timeout_s = 5

[api.webhooks]
url = "{receiver.url}"
max_attempts = 3
retry_base_s = 0.5
timeout_s = 5
""")
    env = {"AUDIOARTICLES_WEBHOOK_SECRET": SECRET}
    tokens = {"write": token(root, "cms"), "read": token(root, "dashboard", "read")}
    server = ApiProcess(root, env)
    client = httpx.Client(base_url=server.url, timeout=30, trust_env=False)
    yield {"root": root, "server": server, "client": client, "tokens": tokens, "env": env}
    client.close()
    server.stop()


def auth(service, scope: str = "write") -> dict:
    return {"Authorization": f"Bearer {service['tokens'][scope]}"}


def stored(service) -> bytes:
    """Everything the catalog holds on disk (its file and its write-ahead log)."""
    return b"".join(p.read_bytes() for p in (service["root"] / ".audioarticles").glob(
        "catalog.sqlite*"))


def wait_for(service, article_id: str, statuses=("ready", "failed"), timeout=120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        answer = service["client"].get(f"articles/{article_id}", headers=auth(service, "read"))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        if body["status"] in statuses or time.monotonic() > deadline:
            return body
        time.sleep(0.3)


def test_put_converts_the_article_and_the_cms_hears_it_is_ready(service, receiver):
    client = service["client"]
    answer = client.put("articles/cms-4512", json=ARTICLE, headers=auth(service))
    assert answer.status_code == 202, answer.text
    assert answer.json() == {"id": "cms-4512", "status": "queued",
                             "status_url": f"{service['server'].url}articles/cms-4512"}
    status = wait_for(service, "cms-4512")
    assert status["status"] == "ready", status
    assert status["state"] == "published" and status["error"] is None
    episode = status["episode"]
    assert episode["guid"] == "cms-4512" and episode["slug"] == "le-tramway-arrive-a-brest"
    assert episode["audio_url"].startswith("https://news.example.org/audio/episodes/"
                                           "le-tramway-arrive-a-brest-")
    assert episode["audio_url"].endswith(".mp3") and episode["bytes"] > 1000
    assert 2 < episode["duration_s"] < 30 and episode["degraded"] is False
    assert set(episode["transcripts"]) >= {"vtt", "srt"}
    assert episode["page_url"] == ("https://news.example.org/audio/episodes/"
                                   "le-tramway-arrive-a-brest.html")
    assert "le-tramway-arrive-a-brest" in episode["embed_html"]
    hook = receiver.next("episode.ready", "cms-4512")
    assert hook["event"] == "episode.ready"
    assert hook["data"]["id"] == "cms-4512" and hook["data"]["audio_url"] == episode["audio_url"]

    again = client.put("articles/cms-4512", json=ARTICLE, headers=auth(service))
    assert again.status_code == 200 and again.json()["status"] == "unchanged"


def test_a_changed_article_is_converted_again_into_the_same_episode(service):
    client = service["client"]
    before = wait_for(service, "cms-4512")["episode"]
    changed = {**ARTICLE, "text": ARTICLE["text"] + " Le premier tram part à six heures."}
    answer = client.put("articles/cms-4512", json=changed, headers=auth(service))
    assert answer.status_code == 202, answer.text
    time.sleep(0.2)
    after = wait_for(service, "cms-4512")
    assert after["status"] == "ready", after
    assert after["episode"]["guid"] == "cms-4512"
    assert after["episode"]["slug"] == before["slug"]
    assert after["episode"]["audio_url"] != before["audio_url"]  # new audio, new URL


@pytest.mark.parametrize("body, field", [
    ({"text": "Sans titre."}, "title"),
    ({"title": "Deux corps", "text": "a", "html": "<p>b</p>"}, "body"),
    ({"title": "Rien à lire"}, "body"),
    ({"title": "URL", "url": "ftp://example.org/a"}, "url"),
    ({"title": "Date", "text": "a", "published": "lundi dernier"}, "published"),
    ({"title": "Clé", "text": "a", "titel": "faute"}, "titel"),
    ({"title": 12, "text": "a"}, "title"),
    ({"title": "Voix", "text": "a", "voice": "fr-nobody"}, "voice"),
    ({"title": "État", "text": "a", "state": "live"}, "state"),
    ({"title": "Catégories", "text": "a", "categories": "Sport"}, "categories"),
])
def test_a_wrong_body_is_refused_naming_the_field(service, body, field):
    answer = service["client"].put("articles/cms-bad", json=body, headers=auth(service))
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field
    assert answer.json()["error"].startswith(f"{field}: ")


def test_bad_json_and_a_bad_id_are_refused(service):
    client = service["client"]
    answer = client.put("articles/cms-x", content=b"{not json", headers={
        **auth(service), "Content-Type": "application/json"})
    assert answer.status_code == 422
    answer = client.put("articles/" + "x" * 201, json=ARTICLE, headers=auth(service))
    assert answer.status_code == 422 and answer.json()["field"] == "article_id"


def test_tokens_are_required_scoped_and_revocable(service):
    client, root = service["client"], service["root"]
    assert client.get("articles/cms-4512").status_code == 401
    wrong = client.get("articles/cms-4512", headers={"Authorization": "Bearer aa_nope"})
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"] == "Bearer"
    read = client.put("articles/cms-read", json=ARTICLE, headers=auth(service, "read"))
    assert read.status_code == 403 and "write" in read.json()["error"]
    spare = token(root, "spare")
    assert client.get("episodes", headers={"Authorization": f"Bearer {spare}"}).status_code == 200
    revoked = cli(root, "tokens", "revoke", "spare", "--json")
    assert revoked.returncode == 0 and json.loads(revoked.stdout)["revoked_at"]
    assert client.get("episodes", headers={"Authorization": f"Bearer {spare}"}).status_code == 401
    listed = json.loads(cli(root, "tokens", "list", "--all", "--json").stdout)["tokens"]
    assert {t["name"] for t in listed} >= {"cms", "dashboard", "spare"}
    assert all("token" not in t and "token_hash" not in t for t in listed)
    catalog = (root / ".audioarticles" / "catalog.sqlite").read_bytes()
    assert spare.encode() not in catalog and service["tokens"]["write"].encode() not in catalog


def test_hold_publish_and_delete_change_the_state_and_delete_tells_the_cms(service, receiver):
    client = service["client"]
    wait_for(service, "cms-4512")
    held = client.post("articles/cms-4512/hold", json={"reason": "à relire"},
                       headers=auth(service))
    assert held.status_code == 200, held.text
    assert held.json()["state"] == "held" and held.json()["episode"]["audio_url"] is None
    assert client.get("articles/cms-4512", headers=auth(service)).json()["state"] == "held"
    published = client.post("articles/cms-4512/publish", headers=auth(service))
    assert published.status_code == 200 and published.json()["state"] == "published"
    gone = client.delete("articles/cms-4512", params={"reason": "article retiré"},
                         headers=auth(service))
    assert gone.status_code == 200 and gone.json()["state"] == "unpublished"
    hook = receiver.next("episode.unpublished", "cms-4512")
    assert hook["data"]["id"] == "cms-4512" and hook["data"]["reason"] == "article retiré"
    history = json.loads(cli(service["root"], "history", "cms-4512", "--json").stdout)
    assert history["events"][-1]["actor"] == "api:cms"
    # the tombstone: sending it again does not bring it back, publishing does
    changed = {**ARTICLE, "text": "Un autre texte, corrigé."}
    client.put("articles/cms-4512", json=changed, headers=auth(service))
    status = wait_for(service, "cms-4512")
    assert status["status"] == "failed" and "skipped" in status["error"]
    assert status["state"] == "unpublished"
    back = client.post("articles/cms-4512/publish", json={"reason": "erreur"},
                       headers=auth(service))
    assert back.json()["state"] == "published"
    assert client.post("articles/nobody/hold", headers=auth(service)).status_code == 404


def test_delete_withdraws_an_article_still_queued_and_a_later_put_converts_it(service):
    """An article the CMS deletes before it was converted: its queued conversion is called
    off (no episode ever appears), GET then answers 404, and sending it again converts it."""
    import audioarticles as aa
    from audioarticles.store.lock import run_lock

    client = service["client"]
    body = {**ARTICLE, "title": "Un article retiré avant sa conversion"}
    project = aa.Project.open(service["root"])
    with run_lock(project.settings, "test hold"):  # the conversion waits for the lock: queued
        answer = client.put("articles/cms-early", json=body, headers=auth(service))
        assert answer.status_code == 202, answer.text
        assert wait_for(service, "cms-early", ("queued",), timeout=10)["status"] == "queued"
        gone = client.delete("articles/cms-early", params={"reason": "doublon"},
                             headers=auth(service))
        assert gone.status_code == 200, gone.text
        assert gone.json() == {"id": "cms-early", "from_state": None, "state": None,
                               "changed": True, "episode": None,
                               "note": "withdrawn before it was converted: doublon"}
        assert client.get("articles/cms-early", headers=auth(service)).status_code == 404
    # the lock is free: the batch that was waiting for it runs and skips it; an article sent
    # after it is converted after that batch (one executor thread), so once it is ready the
    # withdrawn one had its chance to (wrongly) appear
    later = client.put("articles/cms-later", json={**ARTICLE, "title": "Un article suivant"},
                       headers=auth(service))
    assert later.status_code == 202 and wait_for(service, "cms-later")["status"] == "ready"
    [job] = [j for j in project.jobs() if j.source.get("explicit_id") == "cms-early"]
    assert (job.state, job.status) == ("done", "skipped"), job
    assert job.error == "withdrawn before it was converted: doublon"
    assert all(e.guid != "cms-early" for e in project.episodes())
    again = client.put("articles/cms-early", json=body, headers=auth(service))
    assert again.status_code == 202 and again.json()["status"] == "queued"
    assert wait_for(service, "cms-early")["status"] == "ready"
    assert client.delete("articles/never-sent", headers=auth(service)).status_code == 404


def test_a_url_body_obeys_the_fetch_policy_and_the_cms_hears_it_failed(service, receiver):
    # 127.0.0.1 is a loopback address: refused (only "localhost", the webhook receiver, is
    # allowed in this project)
    body = {"title": "Page interne", "url": "http://127.0.0.1:9/secret"}
    answer = service["client"].put("articles/cms-ssrf", json=body, headers=auth(service))
    assert answer.status_code == 202
    status = wait_for(service, "cms-ssrf")
    assert status["status"] == "failed" and "loopback" in status["error"], status
    assert status["episode"] is None
    hook = receiver.next("episode.failed", "cms-ssrf")
    assert hook["data"]["id"] == "cms-ssrf" and "loopback" in hook["data"]["error"]


def test_episodes_are_listed_by_change_a_page_at_a_time(service):
    client = service["client"]
    for number in (1, 2):
        client.put(f"articles/cms-page-{number}", headers=auth(service), json={
            "title": f"Brève numéro {number}", "text": f"Voici la brève numéro {number}."})
        assert wait_for(service, f"cms-page-{number}")["status"] == "ready"
        # times are kept to the second and `since` is inclusive: the second episode must
        # change in a later second than the first for `since` to tell them apart
        time.sleep(1.1)
    seen, cursor = [], None
    while True:
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = client.get("episodes", params=params, headers=auth(service, "read")).json()
        seen += [e["guid"] for e in page["episodes"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen[-2:] == ["cms-page-1", "cms-page-2"] and len(seen) == len(set(seen))
    everything = client.get("episodes", params={"limit": 200}, headers=auth(service)).json()
    assert [e["guid"] for e in everything["episodes"]] == seen
    newest = everything["episodes"][-1]["updated_at"]
    later = client.get("episodes", params={"since": newest}, headers=auth(service)).json()
    assert [e["guid"] for e in later["episodes"]] == ["cms-page-2"]
    published = client.get("episodes", params={"state": "published"}, headers=auth(service))
    assert all(e["state"] == "published" for e in published.json()["episodes"])
    for params, field in (({"cursor": "garbage"}, "cursor"), ({"since": "hier"}, "since"),
                          ({"state": "live"}, "state"), ({"limit": 0}, "limit")):
        refused = client.get("episodes", params=params, headers=auth(service))
        assert refused.status_code == 422 and refused.json()["field"] == field


def test_listening_events_are_kept_without_personal_data_and_counted(service):
    client = service["client"]
    wait_for(service, "cms-page-1")

    def send(event: str, listen: str, **fields) -> httpx.Response:
        body = {"v": 1, "event": event, "episode": "cms-page-1", "slug": "breve-numero-1",
                "listen": listen, "position_s": 1.0, "duration_s": 4.0, **fields}
        # as navigator.sendBeacon sends it: text/plain JSON, no credentials
        return client.post("events", content=json.dumps(body),
                           headers={"Content-Type": "text/plain;charset=UTF-8",
                                    "Origin": "https://lecteur.exemple.test",
                                    "User-Agent": "Lecteur-Test/1.0"})

    first, second = "0123456789abcdef", "fedcba9876543210"
    answer = send("play", first)
    assert answer.status_code == 204 and "set-cookie" not in answer.headers
    for percent in (25, 50, 75):
        assert send("progress", first, percent=percent).status_code == 204
    assert send("complete", first, position_s=4.0).status_code == 204
    assert send("play", second).status_code == 204
    assert send("pause", second, position_s=2.0).status_code == 204
    assert send("ratechange", second, rate=1.5).status_code == 204
    bad = send("progress", first, percent=30)
    assert bad.status_code == 422 and bad.json()["field"] == "percent"
    unknown = client.post("events", content=json.dumps({
        "v": 1, "event": "play", "episode": "nobody", "slug": "x", "listen": first,
        "position_s": 0, "duration_s": 1}))
    assert unknown.status_code == 404
    stats = cli(service["root"], "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    [row] = [r for r in json.loads(stats.stdout)["episodes"] if r["guid"] == "cms-page-1"]
    assert row["plays"] == 2 and row["completed"] == 1
    assert row["completion_rate"] == 0.5 and row["average_listened_share"] == 0.75
    assert b"lecteur.exemple" not in stored(service) and b"Lecteur-Test" not in stored(service)


def test_the_openapi_schema_describes_the_api_and_no_cors_by_default(service):
    client = service["client"]
    schema = client.get("openapi.json").json()
    assert {"/v1/articles/{article_id}", "/v1/articles/{article_id}/publish",
            "/v1/articles/{article_id}/hold", "/v1/episodes", "/v1/events",
            "/oembed"} <= set(schema["paths"])
    assert set(schema["paths"]["/v1/articles/{article_id}"]) == {"put", "get", "delete"}
    assert "ArticleBody" in schema["components"]["schemas"]
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    preflight = client.options("articles/cms-4512", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "PUT"})
    assert "access-control-allow-origin" not in preflight.headers


def test_webhook_deliveries_are_retried_then_logged(service, receiver):
    client, root = service["client"], service["root"]
    receiver.fail_next = 1  # the first attempt fails (HTTP 500), the retry gets through
    client.put("articles/cms-retry", headers=auth(service),
               json={"title": "Nouvelle tentative", "text": "Le texte de la dépêche."})
    assert wait_for(service, "cms-retry")["status"] == "ready"
    receiver.next("episode.ready", "cms-retry")
    deliveries = json.loads(cli(root, "webhooks", "--json").stdout)["deliveries"]
    [row] = [d for d in deliveries if d["guid"] == "cms-retry"]
    assert row["status"] == "delivered" and row["attempts"] == 2 and row["last_status"] == 204

    receiver.fail_next = 3  # every attempt fails: after max_attempts = 3 it gives up
    client.put("articles/cms-lost", headers=auth(service),
               json={"title": "Jamais reçue", "text": "Le texte de la dépêche perdue."})
    assert wait_for(service, "cms-lost")["status"] == "ready"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        failed = json.loads(cli(root, "webhooks", "--failed", "--json").stdout)["deliveries"]
        if any(d["guid"] == "cms-lost" for d in failed):
            break
        time.sleep(0.5)
    [row] = [d for d in failed if d["guid"] == "cms-lost"]
    assert row["attempts"] == 3 and row["last_status"] == 500
    assert "500" in row["last_error"]
    plain = cli(root, "webhooks", "--failed")
    assert "episode.ready  cms-lost  failed after 3 attempt(s)" in plain.stdout


def test_oembed_answers_for_a_published_episode_page(service):
    client = service["client"]
    status = wait_for(service, "cms-page-1")
    page = status["episode"]["page_url"]
    answer = client.get(service["server"].root + "oembed", params={"url": page})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["type"] == "rich" and body["version"] == "1.0"
    assert body["title"] == "Brève numéro 1" and "<iframe" in body["html"]
    static = json.loads((service["root"] / "output" / "oembed" / "breve-numero-1.json")
                        .read_text(encoding="utf-8"))
    assert body == static  # the same answer as the file the build wrote
    small = client.get(service["server"].root + "oembed",
                       params={"url": page, "maxwidth": 320, "maxheight": 100}).json()
    assert small["width"] == 320 and small["height"] == 100
    for url in ("https://elsewhere.example/episodes/breve-numero-1.html",
                "https://news.example.org/audio/episodes/no-such-episode.html"):
        missing = client.get(service["server"].root + "oembed", params={"url": url})
        assert missing.status_code == 404
    xml = client.get(service["server"].root + "oembed", params={"url": page, "format": "xml"})
    assert xml.status_code == 501
