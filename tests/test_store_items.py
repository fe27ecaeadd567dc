"""Storing crawled items on real SQLite and PostgreSQL: idempotent, linked, never raw names."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from langnghe.errors import UserError
from langnghe.records import CrawledItem, Engagement
from triage import migrate
from triage.models import AuditLog, Item, Prediction, Source
from triage.store import BATCH_SIZE, Store, UpsertResult

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(db_settings) -> Store:
    migrate.upgrade(db_settings)
    return Store(db_settings)


def article(n: int, *, source: str = "bao-lai-chau", likes: int = 0, text: str | None = None,
            fetched: datetime = T0, **kw) -> CrawledItem:
    return CrawledItem(
        source=source, kind=kw.pop("kind", "article"), url=kw.pop("url", f"https://baolaichau.vn/bai-{n}"),
        title=kw.pop("title", f"Bài {n}"), text=text if text is not None else f"Nội dung bài viết số {n} về công đoàn.",
        fetched_at=fetched, engagement=Engagement(likes=likes), **kw,
    )


def comment(n: int, parent_url: str, text: str = "Đúng vậy", author: str | None = None, **kw) -> CrawledItem:
    return CrawledItem(
        source=kw.pop("source", "bao-lai-chau"), kind="comment", url=f"{parent_url}?comment_id={n}",
        text=text, parent_url=parent_url, author_pseudonym=kw.pop("author_pseudonym", f"p{n:063d}"),
        author=author, fetched_at=T0, **kw,
    )


def test_store_needs_a_migrated_database(db_settings):
    with pytest.raises(UserError, match="langnghe db upgrade"):
        Store(db_settings)


def test_same_items_twice_gives_the_same_rows(store):
    items = [article(i) for i in range(5)]
    assert store.upsert_items(items) == UpsertResult(new=5, updated=0, unchanged=0)
    first = store.item_by_url(items[0].url)
    assert first.first_seen_at == T0 and first.fetched_at == T0

    later = T0 + timedelta(hours=3)
    again = [article(i, fetched=later, likes=10 if i == 0 else 0) for i in range(5)]
    assert store.upsert_items(again) == UpsertResult(new=0, updated=1, unchanged=4)
    assert store.count_items() == 5
    row = store.item_by_url(items[0].url)
    assert row.likes == 10  # engagement refreshed
    assert row.fetched_at == later  # fetch time refreshed
    assert row.first_seen_at == T0  # first sighting kept
    assert row.id == first.id

    # the same URL twice in one call: one row, the last copy wins
    result = store.upsert_items([article(9, likes=1), article(9, likes=2)])
    assert result == UpsertResult(new=1, updated=0, unchanged=1)
    assert store.item_by_url(article(9).url).likes == 2  # the last copy wins


def test_changed_text_is_updated_empty_text_keeps_the_old_and_text_is_nfc(store):
    store.upsert_items([article(1)])
    store.upsert_items([article(1, text="Nội dung đã sửa.")])
    assert store.item_by_url(article(1).url).text == "Nội dung đã sửa."
    result = store.upsert_items([article(1, text="", title="", likes=3)])
    assert result == UpsertResult(0, 1, 0)
    row = store.item_by_url(article(1).url)
    assert row.text == "Nội dung đã sửa." and row.likes == 3

    decomposed = "Co\u0302ng đoa\u0300n"  # as some keyboards send it
    store.upsert_items([article(1, text=decomposed)])
    assert store.item_by_url(article(1).url).text == "Công đoàn"  # stored NFC


def test_same_content_at_a_new_url_is_a_duplicate(store):
    store.upsert_items([article(1)])
    mirror = article(1, url="https://baolaichau.vn/amp/bai-1")
    other_source = article(1, url="https://laodong.vn/bai-1", source="lao-dong")
    assert store.upsert_items([mirror, other_source]) == UpsertResult(new=1, updated=0, unchanged=1)
    assert store.item_by_url(mirror.url) is None
    assert store.item_by_url(other_source.url) is not None  # another source: its own item
    # two new URLs with the same content in one call: the first one is kept
    twins = [article(7, url="https://baolaichau.vn/x"), article(7, url="https://baolaichau.vn/y")]
    assert store.upsert_items(twins) == UpsertResult(new=1, updated=0, unchanged=1)


def test_short_identical_comments_of_different_people_are_kept(store):
    post = article(1)
    store.upsert_items([post, comment(1, post.url), comment(2, post.url)])
    assert store.count_items_by_kind() == {"article": 1, "post": 0, "comment": 2}
    # the same person's same comment seen under a second id is a duplicate
    copy = comment(3, post.url, author_pseudonym=comment(1, post.url).author_pseudonym)
    assert store.upsert_items([copy]).unchanged == 1


def test_raw_author_is_refused_and_nothing_is_stored(store):
    items = [article(1), comment(1, article(1).url, author="Nguyễn Văn A", author_pseudonym=None)]
    with pytest.raises(ValueError, match="raw author"):
        store.upsert_items(items)
    assert store.count_items() == 0


def test_children_link_to_parents_stored_before_in_and_after_the_batch(store):
    post = article(1)
    store.upsert_items([post])
    store.upsert_items([comment(1, post.url)])  # parent stored earlier
    late_parent = article(2)
    store.upsert_items([comment(2, late_parent.url)])  # parent not there yet: an orphan
    same_batch_parent = article(3)
    store.upsert_items([comment(3, same_batch_parent.url), same_batch_parent])  # child first
    assert store.item_by_url(comment(2, late_parent.url).url).parent_id is None
    store.upsert_items([late_parent])  # the orphan's parent arrives in a later batch

    for n, parent in ((1, post), (2, late_parent), (3, same_batch_parent)):
        child = store.item_by_url(comment(n, parent.url).url)
        assert child.parent_id == store.item_by_url(parent.url).id, n


def test_more_than_one_batch(store):
    n = BATCH_SIZE + 30
    parent = article(0)
    items = [comment(i, parent.url, text=f"Ý kiến {i}") for i in range(n)] + [parent]
    assert store.upsert_items(items) == UpsertResult(new=n + 1, updated=0, unchanged=0)
    assert store.upsert_items(items) == UpsertResult(new=0, updated=0, unchanged=n + 1)
    pid = store.item_by_url(parent.url).id
    with store.session(write=False) as s:
        assert s.scalar(select(func.count()).where(Item.parent_id == pid)) == n


def test_unknown_source_is_created_and_ensure_source_updates_by_name(store):
    store.upsert_items([article(1, source="nguon-moi")])
    first = store.source_id("nguon-moi")
    assert first is not None
    assert store.ensure_source("nguon-moi", "rss", url="https://x.vn/rss", weight=0.5) == first
    with store.session(write=False) as s:
        src = s.scalars(select(Source).where(Source.name == "nguon-moi")).one()
        assert (src.kind, src.url, src.weight, src.enabled) == ("rss", "https://x.vn/rss", 0.5, True)


def prediction(item_id: int, version: str, category: str = "neutral") -> dict:
    return dict(item_id=item_id, model_version=version, category=category, category_proba=0.8,
                topic="wages", topic_proba=0.7, toxicity="clean", toxicity_proba=0.9)


def test_predictions_needed_saved_and_current(store):
    store.upsert_items([article(i) for i in range(3)])
    todo = store.items_needing_prediction("v1")
    assert [t.kind for t in todo] == ["article"] * 3 and todo[0].title == "Bài 0"
    assert len(store.items_needing_prediction("v1", limit=2)) == 2

    assert store.save_predictions([prediction(t.item_id, "v1") for t in todo]) == 3
    assert store.items_needing_prediction("v1") == []
    first = todo[0].item_id
    store.save_predictions([prediction(first, "v1", category="scam")])  # replaced, not added
    store.save_predictions([prediction(first, "v2", category="misinformation")])
    assert [t.item_id for t in store.items_needing_prediction("v2")] == [t.item_id for t in todo[1:]]
    with store.session(write=False) as s:
        rows = {p.model_version: p for p in s.scalars(select(Prediction).where(Prediction.item_id == first))}
    assert rows["v1"].category == "scam" and rows["v1"].current is False
    assert rows["v2"].current is True and rows["v2"].facets == {}


def test_bad_prediction_rows_are_refused(store):
    with pytest.raises(ValueError, match="missing keys"):
        store.save_predictions([{"item_id": 1, "model_version": "v1"}])
    with pytest.raises(ValueError, match="unknown keys"):
        store.save_predictions([dict(prediction(1, "v1"), colour="red")])


def test_audit_log_appends(store):
    store.audit("lan", "export", {"rows": 3})
    store.audit("lan", "export", {"rows": 4})
    with store.session(write=False) as s:
        assert [a.detail["rows"] for a in s.scalars(select(AuditLog).order_by(AuditLog.id))] == [3, 4]
