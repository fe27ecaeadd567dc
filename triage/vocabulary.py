"""Display names (Vietnamese, English) of categories, topics, statuses and districts.

Kept in triage so the dashboard and the written reports (digest, summaries) name
things the same way; the dashboard's i18n imports these tables.
"""

from __future__ import annotations

CATEGORY_NAMES: dict[str, tuple[str, str]] = {
    "misinformation": ("Tin sai lệch", "Misinformation"),
    "scam": ("Lừa đảo", "Scam"),
    "grievance": ("Phản ánh, kiến nghị", "Grievance"),
    "criticism": ("Chỉ trích", "Criticism"),
    "neutral": ("Trung tính", "Neutral"),
    "positive": ("Tích cực", "Positive"),
}
TOPIC_NAMES: dict[str, tuple[str, str]] = {
    "wages": ("Tiền lương", "Wages"),
    "social_insurance": ("Bảo hiểm xã hội", "Social insurance"),
    "union_dues_funds": ("Đoàn phí, kinh phí", "Union dues and funds"),
    "jobs_layoffs": ("Việc làm, cắt giảm", "Jobs and layoffs"),
    "safety": ("An toàn lao động", "Safety"),
    "working_hours": ("Giờ làm, tăng ca", "Working hours"),
    "welfare_tet": ("Phúc lợi, Tết", "Welfare and Tết"),
    "housing": ("Nhà ở", "Housing"),
    "union_activities": ("Hoạt động công đoàn", "Union activities"),
    "law_policy": ("Pháp luật, chính sách", "Law and policy"),
    "other": ("Khác", "Other"),
}
STATUS_NAMES: dict[str, tuple[str, str]] = {
    "new": ("Mới", "New"),
    "in_review": ("Đang xử lý", "In review"),
    "responded": ("Đã phản hồi", "Responded"),
    "dismissed": ("Bỏ qua", "Dismissed"),
    "escalated": ("Báo cáo lãnh đạo", "Escalated"),
    "forwarded": ("Đã chuyển", "Forwarded"),
}
DISTRICT_NAMES: dict[str, tuple[str, str]] = {
    "unknown": ("Không rõ địa bàn", "Place unknown"),
    "outside": ("Ngoài tỉnh", "Outside the province"),
    "province": ("Toàn tỉnh (không rõ huyện)", "Province-wide (district unknown)"),
}
QUEUE_NAMES: dict[str, tuple[str, str]] = {
    "rebuttal": ("Phản bác tin sai", "Rebuttal"),
    "support": ("Hỗ trợ người lao động", "Support"),
}


def display(table: dict[str, tuple[str, str]], key: str | None, lang: str = "vi") -> str:
    """The name of ``key`` in ``lang`` (the key itself when it has no name)."""
    if key is None:
        return "—"
    vi, en = table.get(key, (key, key))
    return en if lang == "en" else vi
