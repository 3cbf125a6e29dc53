"""The CMS integration's small parts: tokens, rate buckets, webhook signatures and back-off,
the signing secret, cursors, listening statistics, the `[api]` settings and the catalog's
records (the HTTP API end to end is in test_http_api.py)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from audioarticles import apitokens, cms, webhooks
from audioarticles.config import Settings
from audioarticles.errors import UsageError
from audioarticles.service.guards import TokenBucket, retry_after
from audioarticles.store.catalog import Catalog


def test_a_token_is_random_and_only_its_hash_is_compared():
    token_id, token = apitokens.new_token()
    assert token.startswith("aa_") and len(token) >= 40 and token_id.startswith("tok_")
    assert apitokens.new_token()[1] != token
    rows = [{"id": "a", "token_hash": apitokens.token_hash("aa_other")},
            {"id": "b", "token_hash": apitokens.token_hash(token)}]
    assert apitokens.matching(token, rows)["id"] == "b"
    assert apitokens.matching(token[:-1], rows) is None
    assert apitokens.matching(token, []) is None


@pytest.mark.parametrize("scope, needed, allowed", [
    ("write", "write", True), ("write", "read", True),
    ("read", "read", True), ("read", "write", False),
])
def test_scopes(scope, needed, allowed):
    assert apitokens.allows(scope, needed) is allowed


@pytest.mark.parametrize("name, ok", [("cms", True), ("wp-prod.2", True), ("", False),
                                      ("a b", False), ("-x", False), ("x" * 65, False)])
def test_token_names(name, ok):
    if ok:
        assert apitokens.check_name(name) == name
    else:
        with pytest.raises(UsageError, match="token name"):
            apitokens.check_name(name)


def test_a_bucket_lets_a_burst_through_then_says_how_long_to_wait():
    now = [100.0]
    bucket = TokenBucket(60, clock=lambda: now[0])  # one a second, bursts of 60
    assert all(bucket.take("cms") == 0 for _ in range(60))
    assert bucket.take("cms") == pytest.approx(1.0)
    assert bucket.take("other") == 0  # each key its own bucket
    now[0] += 2.5
    assert bucket.take("cms") == 0 and bucket.take("cms") == 0
    assert bucket.take("cms") > 0
    assert retry_after(0.2) == "1" and retry_after(3.01) == "4"


def test_a_signature_is_the_hmac_of_the_timestamp_and_the_body():
    body = b'{"event":"episode.ready"}'
    expected = hmac.new(b"s3cret-s3cret-s3cret", b"1767225600." + body,
                        hashlib.sha256).hexdigest()
    signature = webhooks.sign("s3cret-s3cret-s3cret", 1767225600, body)
    assert signature == "sha256=" + expected
    ok = webhooks.verify("s3cret-s3cret-s3cret", "1767225600", signature, body, now=1767225700)
    assert ok
    assert not webhooks.verify("s3cret-s3cret-s3cret", "1767225600", signature, body + b" ",
                               now=1767225700)
    assert not webhooks.verify("other-secret-0000000", "1767225600", signature, body,
                               now=1767225700)
    # a captured request replayed six minutes later
    assert not webhooks.verify("s3cret-s3cret-s3cret", "1767225600", signature, body,
                               now=1767225600 + 360)
    assert not webhooks.verify("s3cret-s3cret-s3cret", "soon", signature, body)


@pytest.mark.parametrize("attempts, wait", [(1, 30), (2, 60), (3, 120), (4, 240),
                                            (12, 21600), (30, 21600)])
def test_retries_wait_twice_as_long_each_time(attempts, wait):
    assert webhooks.retry_wait(Settings("."), attempts) == wait


def test_the_secret_comes_from_the_environment_or_a_file(tmp_path, monkeypatch):
    monkeypatch.delenv(webhooks.SECRET_ENV, raising=False)
    settings = Settings(tmp_path, {"api": {"webhooks": {"url": "https://cms.example.org/h",
                                                        "secret_file": "hook.secret"}}})
    with pytest.raises(UsageError, match="hook.secret cannot be read"):
        webhooks.secret(settings)
    (tmp_path / "hook.secret").write_text("short\n")
    with pytest.raises(UsageError, match="at least 16 characters"):
        webhooks.secret(settings)
    (tmp_path / "hook.secret").write_text("0123456789abcdef0123\n")
    assert webhooks.secret(settings) == "0123456789abcdef0123"
    monkeypatch.setenv(webhooks.SECRET_ENV, "from-the-environment-1234")
    assert webhooks.secret(settings) == "from-the-environment-1234"


@pytest.mark.parametrize("section, message", [
    ({"api": {"webhook": {}}}, "did you mean `webhooks`"),
    ({"api": {"cors_origins": ["https://cms.example.org/path"]}}, "not a web origin"),
    ({"api": {"cors_origins": "https://cms.example.org"}}, "cors_origins"),
    ({"api": {"webhooks": {"url": "cms.example.org/hook"}}}, "not an http(s) URL"),
    ({"api": {"webhooks": {"secret": "in the toml"}}}, "unknown key `secret`"),
    ({"api": {"rate_per_minute": 0}}, "rate_per_minute"),
])
def test_api_settings_are_checked(section, message):
    with pytest.raises(UsageError) as error:
        Settings(".", section)
    assert message in str(error.value)


def test_cursors_go_round_and_garbage_names_the_field():
    cursor = cms.encode_cursor("2026-03-02T08:00:00+00:00", "cms-1")
    assert cms.decode_cursor(cursor) == ("2026-03-02T08:00:00+00:00", "cms-1")
    with pytest.raises(cms.FieldError) as error:
        cms.decode_cursor("garbage")
    assert error.value.field == "cursor"


@pytest.mark.parametrize("since, stored", [
    ("2026-03-02T08:00:00Z", "2026-03-02T08:00:00+00:00"),
    ("2026-03-02T09:00:00+01:00", "2026-03-02T08:00:00+00:00"),
    ("2026-03-02T08:00:00", "2026-03-02T08:00:00+00:00"),
])
def test_since_is_read_as_the_catalog_writes_times(since, stored):
    assert cms.parse_since(since) == stored


def test_the_same_body_has_the_same_hash_whatever_the_key_order():
    assert cms.body_hash({"a": 1, "b": "é"}) == cms.body_hash({"b": "é", "a": 1})
    assert cms.body_hash({"a": 1}) != cms.body_hash({"a": 2})


def test_listening_statistics():
    plays = [
        {"episode": "e1", "play_id": "l1", "plays": 1, "completes": 1, "furthest": 100},
        {"episode": "e1", "play_id": "l2", "plays": 2, "completes": 0, "furthest": 50},
        {"episode": "e1", "play_id": "l3", "plays": 1, "completes": 0, "furthest": 0},
        {"episode": "e1", "play_id": "l4", "plays": 0, "completes": 0, "furthest": 25},
        {"episode": "e2", "play_id": "l5", "plays": 1, "completes": 0, "furthest": 75},
    ]
    rows = cms.listening_stats(plays, {"e1": ("tram", "Le tram")})
    assert rows == [
        {"guid": "e1", "slug": "tram", "title": "Le tram", "plays": 3, "completed": 1,
         "completion_rate": 0.3333, "average_listened_share": 0.5},
        {"guid": "e2", "slug": None, "title": None, "plays": 1, "completed": 0,
         "completion_rate": 0.0, "average_listened_share": 0.75},
    ]


def test_catalog_records_of_the_cms_integration(catalog_backend):
    catalog = catalog_backend.open()
    with catalog.transaction():
        catalog.add_api_token("tok_1", "cms", "write", "h1", "2026-01-01T00:00:00+00:00")
        catalog.add_api_token("tok_2", "old", "read", "h2", "2026-01-02T00:00:00+00:00")
        assert catalog.revoke_api_token("tok_2", "2026-01-03T00:00:00+00:00")
        assert not catalog.revoke_api_token("tok_2", "2026-01-04T00:00:00+00:00")
    assert [t["id"] for t in catalog.api_tokens()] == ["tok_1"]
    assert [t["id"] for t in catalog.api_tokens(revoked=True)] == ["tok_1", "tok_2"]
    row = {"id": "whd_1", "created_at": "2026-01-01T00:00:00+00:00", "event": "episode.ready",
           "guid": "g", "url": "https://cms.example.org/h", "payload": "{}", "status": "pending",
           "attempts": 0, "next_attempt_at": "2026-01-01T00:00:00+00:00", "last_status": 0,
           "last_error": "", "delivered_at": ""}
    with catalog.transaction():
        catalog.add_delivery(row)
    [due] = catalog.due_deliveries("2026-01-01T00:00:01+00:00")
    # two processes see it due: only the first claims it
    assert catalog.claim_delivery("whd_1", due["next_attempt_at"], "2026-01-01T00:01:00+00:00")
    assert not catalog.claim_delivery("whd_1", due["next_attempt_at"],
                                      "2026-01-01T00:01:00+00:00")
    assert catalog.due_deliveries("2026-01-01T00:00:30+00:00") == []
    with pytest.raises(ValueError):
        catalog.update_delivery("whd_1", payload_hash="x")
    with catalog.transaction():
        catalog.add_listening_events([("g", "play", "l1", 0, "2026-01-01T00:00:00+00:00"),
                                      ("g", "progress", "l1", 50, "2026-01-01T00:00:10+00:00"),
                                      ("g", "seek", "l1", 90, "2026-01-01T00:00:20+00:00")])
    assert catalog.listening_plays() == [{"episode": "g", "play_id": "l1", "plays": 1,
                                          "completes": 0, "furthest": 50}]
    assert catalog.listening_plays("2026-01-02T00:00:00+00:00") == []
    catalog.close()


def test_a_delivery_can_wait_for_the_site_to_be_rebuilt(catalog_backend, tmp_path):
    settings = Settings(tmp_path, {"api": {"webhooks": {"url": "https://cms.example.org/h"}}})
    catalog = catalog_backend.open()
    with catalog.transaction():
        webhooks.record(settings, catalog, webhooks.READY, "g1", {"id": "g1"}, waiting=True)
        webhooks.record(settings, catalog, webhooks.FAILED, "g2", {"id": "g2", "error": "x"})
    due = catalog.due_deliveries(webhooks.now_iso())
    assert [d["guid"] for d in due] == ["g2"]
    with catalog.transaction():
        assert catalog.release_deliveries(webhooks.WAITING, webhooks.now_iso()) == 1
    assert {d["guid"] for d in catalog.due_deliveries(webhooks.now_iso())} == {"g1", "g2"}
    [ready] = [d for d in catalog.deliveries() if d["guid"] == "g1"]
    assert ready["url"] == "https://cms.example.org/h" and ready["event"] == "episode.ready"
    catalog.close()
    off = Settings(tmp_path / "off")  # no webhook URL: nothing is written
    catalog = Catalog(tmp_path / "off.sqlite")
    webhooks.record(off, catalog, webhooks.READY, "g1", {"id": "g1"})
    assert catalog.deliveries() == []
    catalog.close()
