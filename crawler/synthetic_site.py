"""A generated news site of any size, in the demo site's markup (RSS feed, article pages
with server-rendered comments and a second comment page, robots.txt).

The hand-written demo content is a dozen pages; resuming after a kill, sharing a crawl
between processes and measuring throughput need hundreds to thousands. Every article
is different (the store would fold identical texts into one item) and mentions the
union, so the relevance filter keeps it. Deterministic for a given ``seed``.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from crawler.demo_site import COMMENTS_PER_PAGE, _build_news, _write
from crawler.sources import SourceConfig

SECTIONS = ["Công đoàn", "Việc làm", "Pháp luật", "Thời sự"]
PLACES = ["Tam Đường", "Phong Thổ", "Sìn Hồ", "Mường Tè", "Than Uyên", "Tân Uyên", "Nậm Nhùn", "TP Lai Châu"]
EMPLOYERS = ["Công ty Thủy điện Nậm Na", "Công ty Chè Tam Đường", "Nhà máy Xi măng Lai Châu",
             "Công ty May Tây Bắc", "Hợp tác xã Chè Shan Tuyết", "Công ty Khoáng sản Sìn Hồ"]
TITLES = [
    "Công đoàn {employer} hỗ trợ {n} đoàn viên khó khăn",
    "Liên đoàn Lao động huyện {place} đối thoại với người lao động về tiền lương",
    "{n} công nhân {employer} được công đoàn tặng quà",
    "Công đoàn cơ sở {place} giám sát việc đóng bảo hiểm xã hội",
    "Người lao động {employer} kiến nghị về ca làm đêm",
    "Công đoàn ngành Giáo dục {place} tập huấn cho {n} cán bộ",
]
SENTENCES = [
    "Liên đoàn Lao động tỉnh Lai Châu cho biết đã nắm tình hình việc làm của {n} đoàn viên tại {place}.",
    "Ban chấp hành công đoàn cơ sở {employer} đã làm việc với chủ doanh nghiệp về thang lương mới.",
    "Nhiều người lao động phản ánh việc chậm đóng bảo hiểm xã hội trong {n} tháng qua.",
    "Công đoàn đề nghị doanh nghiệp công khai quy chế trả lương và thưởng cuối năm.",
    "Chủ tịch công đoàn huyện {place} nhấn mạnh vai trò đại diện, bảo vệ quyền lợi của đoàn viên.",
    "Qua đối thoại, {employer} cam kết trả đủ tiền làm thêm giờ trước ngày {n} tháng sau.",
    "Các đoàn viên được hướng dẫn cách đóng đoàn phí và nhận hỗ trợ khi ốm đau.",
    "Đoàn kiểm tra ghi nhận điều kiện an toàn lao động tại phân xưởng đã được cải thiện.",
    "Thời gian tới, công đoàn tiếp tục theo dõi việc thực hiện thỏa ước lao động tập thể.",
    "Người lao động có thể gọi đường dây nóng của Liên đoàn Lao động tỉnh để được tư vấn miễn phí.",
]
COMMENTS = [
    "Công đoàn làm vậy là đúng, mong được duy trì.",
    "Công ty tôi cũng bị chậm đóng bảo hiểm, công đoàn có giúp được không?",
    "Cảm ơn công đoàn đã quan tâm người lao động.",
    "Lương tăng mà giá cả cũng tăng, đời sống công nhân vẫn khó.",
    "Đoàn phí đóng hằng tháng thì quyền lợi phải rõ ràng.",
    "Mong công đoàn về tận xưởng nghe công nhân nói.",
]
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lò Văn Cường", "Hoàng Thị Dung", "Vàng A Dính", "Lê Minh Đức",
         "Tòng Thị Hạnh", "Phạm Văn Khánh"]


@dataclass
class SyntheticSite:
    """What :func:`build_synthetic_news` made."""

    source: SourceConfig
    pages: int
    truth: dict[str, dict[str, Any]] = field(default_factory=dict)

    def toml(self) -> str:
        s = self.source
        lines = ["[[source]]", f"name = {json.dumps(s.name)}", f"kind = {json.dumps(s.kind)}",
                 f"urls = {json.dumps(list(s.urls))}", f"filter = {json.dumps(s.filter)}"]
        lines += [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in s.options.items()]
        return "\n".join(lines) + "\n"


def _fill(template: str, rng: random.Random) -> str:
    return template.format(n=rng.randint(2, 300), place=rng.choice(PLACES), employer=rng.choice(EMPLOYERS))


def synthetic_articles(count: int, comments_per_article: int = 8, seed: int = 0,
                       max_days_ago: int = 5) -> list[dict[str, Any]]:
    """Article records in the demo content's schema (``news.jsonl``)."""
    rng = random.Random(seed)
    articles = []
    for n in range(count):
        aid = 500000 + n
        comments = []
        for c in range(comments_per_article):
            cid = aid * 100 + c
            comment = {"id": str(cid), "author": rng.choice(NAMES), "likes": rng.randint(0, 40),
                       "text": f"{rng.choice(COMMENTS)} (ý kiến số {c + 1} về bài {aid})",
                       "days_ago": 0, "time": f"{rng.randint(6, 22):02d}:{rng.randint(0, 59):02d}"}
            if c % 4 == 3:
                comment["replies"] = [{"id": str(cid) + "1", "author": rng.choice(NAMES), "likes": 1,
                                       "text": f"Đồng ý, công đoàn nên vào cuộc (trả lời {cid}).", "days_ago": 0}]
            comments.append(comment)
        body = [_fill(rng.choice(SENTENCES), rng) for _ in range(rng.randint(4, 8))]
        body.append(f"Bài viết số {aid} thuộc chuyên mục công đoàn của báo điện tử Lai Châu 24h.")
        articles.append({
            "id": str(aid),
            "title": f"{_fill(rng.choice(TITLES), rng)} (kỳ {n + 1})",
            "section": rng.choice(SECTIONS),
            "sapo": _fill(rng.choice(SENTENCES), rng),
            "body": body,
            "author": rng.choice(NAMES),
            "days_ago": rng.randint(0, max_days_ago),
            "time": f"{rng.randint(6, 21):02d}:{rng.randint(0, 59):02d}",
            "tags": ["công đoàn", rng.choice(PLACES)],
            "comments": comments,
        })
    return articles


def write_news(records: list[dict[str, Any]], out_dir: Path, base_url: str, today: datetime | None = None,
               name: str = "synthetic-news", feed: list[dict[str, Any]] | None = None) -> SyntheticSite:
    """Render article records under ``out_dir`` for serving at ``base_url``.

    Pages: the feed (listing ``feed``, default all records), each article, and one more
    comment page per 5 top-level comments after the first five. Writing the same
    records again gives byte-identical pages (same ETag).
    """
    out_dir = Path(out_dir)
    base_url = base_url.rstrip("/")
    today = today or datetime.now(timezone.utc)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write(out_dir / "robots.txt", "User-agent: *\nDisallow: /news/admin/\n")
    truth: dict[str, dict[str, Any]] = {}
    feed_url = _build_news(records, out_dir, base_url, today, truth, feed_articles=feed)
    comment_pages = sum(max(0, (len(a["comments"]) + COMMENTS_PER_PAGE - 1) // COMMENTS_PER_PAGE - 1) for a in records)
    source = SourceConfig(name=name, kind="rss", urls=(feed_url,), options={"max_articles": len(records) + 10})
    return SyntheticSite(source=source, pages=1 + len(records) + comment_pages, truth=truth)


def build_synthetic_news(out_dir: Path, base_url: str, articles: int, comments_per_article: int = 8,
                         today: datetime | None = None, seed: int = 0, name: str = "synthetic-news") -> SyntheticSite:
    """Generate ``articles`` articles and render them (see :func:`write_news`)."""
    return write_news(synthetic_articles(articles, comments_per_article, seed), out_dir, base_url, today, name)
