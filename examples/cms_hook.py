"""A CMS publish hook: when the CMS publishes (or corrects) an article, voice it; when it takes
one down, take the episode down too. The CMS's own article id is the episode's GUID, so a
correction updates the same episode and the podcast apps keep it.

Wire `on_publish` and `on_unpublish` to your CMS's webhooks or signals. From a shell, with the
CMS's article as JSON:

    python examples/cms_hook.py --project newsroom/ article.json
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

import audioarticles as aa


def on_publish(project: aa.Project, article: dict) -> dict:
    """Voice one article the CMS just published; returns what the CMS stores beside it: the
    episode's id, state, audio and the player snippet to paste under the article."""
    episode = project.convert_article(_input(article))
    result = {"id": episode.guid, "slug": episode.slug, "state": episode.state,
              "duration_s": episode.duration_s}
    if episode.state == "published":
        result["player"] = project.embed(episode.guid)
    return result


def _input(article: dict) -> aa.ArticleInput:
    """The CMS's fields, mapped onto what audioarticles needs."""
    return aa.ArticleInput(
        id=str(article["id"]),
        title=article.get("title", ""),
        html=article.get("body_html", ""),
        url=article.get("url", ""),
        author=article.get("author", ""),
        published=article.get("published_at", ""),
        categories=article.get("sections", []),
        summary=article.get("standfirst", ""),
        image=article.get("image_url", ""),
    )


def on_unpublish(project: aa.Project, article_id: str, reason: str) -> str:
    """Take the episode down with the article (its id is the episode's id)."""
    [change] = project.unpublish(str(article_id), by="cms", reason=reason)
    return change.episode.state


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", help="the CMS article as a JSON file")
    parser.add_argument("--project", default=".", help="the audioarticles project folder")
    args = parser.parse_args(argv)
    logging.basicConfig(format="warning: %(message)s", level=logging.WARNING)
    with open(args.article, encoding="utf-8") as handle:
        article = json.load(handle)
    try:
        result = on_publish(aa.Project.open(args.project), article)
    except aa.UserError as error:  # the article's problem and its fix, in one line
        print(json.dumps({"id": article.get("id"), "error": str(error)}, ensure_ascii=False))
        return error.exit_code
    except aa.ArticleSkipped as skipped:  # an opt-out rule, or an editor took it down
        print(json.dumps({"id": article.get("id"), "skipped": skipped.reason},
                         ensure_ascii=False))
        return 0
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
