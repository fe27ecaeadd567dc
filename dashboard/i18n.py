"""User-facing strings: Vietnamese first, English available (switch in the sidebar)."""

from __future__ import annotations

import streamlit as st

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("Lắng Nghe", "Lắng Nghe"),
    "tagline": ("Theo dõi dư luận và phân loại tin cho công đoàn", "Social listening and triage for the union"),
    "login": ("Đăng nhập", "Log in"),
    "logout": ("Đăng xuất", "Log out"),
    "username": ("Tên đăng nhập", "Username"),
    "password": ("Mật khẩu", "Password"),
    "login_failed": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password."),
    "signed_in_as": ("Đang đăng nhập", "Signed in as"),
    "language": ("Ngôn ngữ", "Language"),
    "page_queue": ("Hàng đợi", "Queue"),
    "page_card": ("Thẻ tin", "Card"),
    "page_support": ("Hỗ trợ người lao động", "Support"),
    "page_label": ("Gán nhãn", "Label"),
    "page_trends": ("Xu hướng", "Trends"),
    "page_reports": ("Báo cáo", "Reports"),
    "page_sources": ("Nguồn & thu thập", "Sources & crawl health"),
    "page_models": ("Mô hình", "Models"),
    "page_users": ("Người dùng", "Users"),
    "queue_empty": ("Không có thẻ nào cần xử lý.", "No cards to work on."),
    "open_cards": ("Thẻ đang mở", "Open cards"),
    "priority": ("Ưu tiên", "Priority"),
    "category": ("Loại", "Category"),
    "topic": ("Chủ đề", "Topic"),
    "status": ("Trạng thái", "Status"),
    "size": ("Số bài", "Items"),
    "reach": ("Lượt tương tác", "Reach"),
    "source": ("Nguồn", "Source"),
    "published": ("Thời gian", "Published"),
    "open": ("Mở", "Open"),
    "all": ("Tất cả", "All"),
    "claim_card": ("Nhận xử lý", "Take this card"),
    "release_card": ("Trả lại", "Release"),
    "mark_responded": ("Đã phản hồi", "Responded"),
    "dismiss": ("Bỏ qua", "Dismiss"),
    "escalate": ("Báo cáo lãnh đạo", "Escalate"),
    "forward": ("Chuyển bộ phận", "Forward"),
    "reason": ("Lý do", "Reason"),
    "note": ("Ghi chú", "Note"),
    "why": ("Vì sao mô hình gắn nhãn này", "Why the model says so"),
    "members": ("Các bài trong câu chuyện", "Items in this story"),
    "history": ("Lịch sử xử lý", "History"),
    "suggested_claims": ("Luận điểm đã được bác bỏ tương tự", "Matching rebutted claims"),
    "rebuttal_draft": ("Soạn phản hồi", "Draft a reply"),
    "posted_where": ("Đăng ở đâu (đường dẫn)", "Posted where (link)"),
    "save_rebuttal": ("Lưu phản hồi và đánh dấu đã phản hồi", "Save reply and mark responded"),
    "pick_card": ("Chọn một thẻ ở trang Hàng đợi.", "Pick a card on the Queue page."),
    "viewer_readonly": ("Bạn chỉ có quyền xem.", "You have read-only access."),
    "done": ("Đã lưu.", "Saved."),
    "department": ("Bộ phận phụ trách", "Department"),
    "correct_label": ("Sửa nhãn", "Correct the label"),
    "confirm": ("Xác nhận", "Confirm"),
}


def lang() -> str:
    return st.session_state.get("lang", "vi")


def t(key: str) -> str:
    vi, en = STRINGS.get(key, (key, key))
    return en if lang() == "en" else vi


CATEGORY_NAMES = {
    "misinformation": ("Tin sai lệch", "Misinformation"),
    "scam": ("Lừa đảo", "Scam"),
    "grievance": ("Phản ánh, kiến nghị", "Grievance"),
    "criticism": ("Chỉ trích", "Criticism"),
    "neutral": ("Trung tính", "Neutral"),
    "positive": ("Tích cực", "Positive"),
}
TOPIC_NAMES = {
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
STATUS_NAMES = {
    "new": ("Mới", "New"),
    "in_review": ("Đang xử lý", "In review"),
    "responded": ("Đã phản hồi", "Responded"),
    "dismissed": ("Bỏ qua", "Dismissed"),
    "escalated": ("Báo cáo lãnh đạo", "Escalated"),
    "forwarded": ("Đã chuyển", "Forwarded"),
}


def name(table: dict[str, tuple[str, str]], key: str | None) -> str:
    if key is None:
        return "—"
    vi, en = table.get(key, (key, key))
    return en if lang() == "en" else vi
