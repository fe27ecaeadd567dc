"""User-facing strings: Vietnamese first, English available (switch in the sidebar).

Names of categories, topics and statuses come from ``triage.vocabulary`` so the
dashboard and the written reports say the same thing. Times are shown in the
office's time zone (``Settings.timezone``), never in UTC.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import streamlit as st

from triage.vocabulary import CATEGORY_NAMES, DISTRICT_NAMES, QUEUE_NAMES, STATUS_NAMES, TOPIC_NAMES  # noqa: F401

STRINGS: dict[str, tuple[str, str]] = {
    # app & login
    "app_title": ("Lắng Nghe", "Lắng Nghe"),
    "tagline": ("Theo dõi dư luận và phân loại tin cho công đoàn", "Social listening and triage for the union"),
    "login": ("Đăng nhập", "Log in"),
    "login_needed": ("Hãy đăng nhập để tiếp tục.", "Please log in to continue."),
    "logout": ("Đăng xuất", "Log out"),
    "username": ("Tên đăng nhập", "Username"),
    "password": ("Mật khẩu", "Password"),
    "login_failed": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password."),
    "signed_in_as": ("Đang đăng nhập", "Signed in as"),
    "language": ("Ngôn ngữ", "Language"),
    "viewer_readonly": ("Bạn chỉ có quyền xem.", "You have read-only access."),
    "no_access": ("Trang này dành cho vai trò khác.", "This page is for another role."),
    "done": ("Đã lưu.", "Saved."),
    "all": ("Tất cả", "All"),
    "open": ("Mở", "Open"),
    "none": ("Không có.", "None."),
    "role_admin": ("Quản trị", "Admin"),
    "role_analyst": ("Cán bộ xử lý", "Analyst"),
    "role_viewer": ("Chỉ xem", "Viewer"),
    # pages
    "page_queue": ("Hàng đợi", "Queue"),
    "page_card": ("Thẻ tin", "Card"),
    "page_support": ("Hỗ trợ người lao động", "Support"),
    "page_label": ("Gán nhãn", "Label"),
    "page_trends": ("Xu hướng", "Trends"),
    "page_reports": ("Báo cáo", "Reports"),
    "page_sources": ("Nguồn & thu thập", "Sources & crawl health"),
    "page_models": ("Mô hình", "Models"),
    "page_users": ("Người dùng", "Users"),
    # queue
    "queue_empty": ("Không có thẻ nào cần xử lý.", "No cards to work on."),
    "open_cards": ("Thẻ phù hợp bộ lọc", "Cards matching the filters"),
    "overdue_cards": ("Quá hạn", "Overdue"),
    "overdue_only": ("Chỉ thẻ quá hạn", "Overdue only"),
    "overdue": ("QUÁ HẠN", "OVERDUE"),
    "due": ("Hạn xử lý", "Due"),
    "priority": ("Ưu tiên", "Priority"),
    "category": ("Loại", "Category"),
    "topic": ("Chủ đề", "Topic"),
    "status": ("Trạng thái", "Status"),
    "size": ("Số bài", "Items"),
    "reach": ("Lượt tương tác", "Reach"),
    "source": ("Nguồn", "Source"),
    "published": ("Thời gian", "Published"),
    "page_no": ("Trang", "Page"),
    "of_pages": ("trên", "of"),
    "select": ("Chọn", "Select"),
    "bulk_title": ("Xử lý hàng loạt các thẻ đã chọn", "Act on the selected cards"),
    "bulk_action": ("Hành động", "Action"),
    "bulk_apply": ("Áp dụng", "Apply"),
    "bulk_none": ("Chưa chọn thẻ nào.", "No cards selected."),
    "bulk_done": ("Đã xử lý {n} thẻ.", "{n} cards updated."),
    "bulk_refused": ("Thẻ #{id}: {why}", "Card #{id}: {why}"),
    "take": ("Nhận", "Take"),
    "priority_help": ("Ưu tiên = độ tin cậy của mô hình × mức lan truyền × độ mới × trọng số nguồn.",
                      "Priority = model confidence × reach × recency × source weight."),
    # card
    "claim_card": ("Nhận xử lý", "Take this card"),
    "release_card": ("Trả lại", "Release"),
    "mark_responded": ("Đã phản hồi", "Responded"),
    "dismiss": ("Bỏ qua", "Dismiss"),
    "escalate": ("Báo cáo lãnh đạo", "Escalate"),
    "reopen": ("Mở lại", "Reopen"),
    "forward": ("Chuyển bộ phận", "Forward"),
    "forward_short": ("Chuyển ➜", "Forward ➜"),
    "forward_to": ("Chuyển cho {dept}", "Forward to {dept}"),
    "reason": ("Lý do", "Reason"),
    "note": ("Ghi chú", "Note"),
    "why": ("Vì sao mô hình gắn nhãn này", "Why the model says so"),
    "words": ("Từ quyết định", "Deciding words"),
    "facets": ("Tìm thấy trong bài", "Found in the text"),
    "facet_place": ("Địa bàn", "Place"),
    "facet_company": ("Doanh nghiệp", "Company"),
    "facet_organisation": ("Cơ quan, tổ chức", "Organisation"),
    "facet_policy": ("Chính sách", "Policy"),
    "members": ("Các bài trong câu chuyện", "Items in this story"),
    "more_members": ("và {n} bài khác", "and {n} more"),
    "history": ("Lịch sử xử lý", "History"),
    "suggested_claims": ("Luận điểm đã được bác bỏ tương tự", "Matching rebutted claims"),
    "no_claims": ("Chưa có luận điểm tương tự trong thư viện.", "No similar claim in the library yet."),
    "verdict": ("Kết luận", "Verdict"),
    "official_reply": ("Phản hồi chính thức", "Official reply"),
    "earlier_replies": ("Các lần phản hồi trước", "Earlier replies"),
    "came_back": ("Luận điểm này đã quay lại {n} lần ({s} câu chuyện) kể từ khi ta phản hồi ngày {d}.",
                  "This claim came back {n} times ({s} stories) since our reply on {d}."),
    "not_answered": ("Chưa có phản hồi nào được đăng cho luận điểm này.", "No reply to this claim has been posted yet."),
    "rebuttal_draft": ("Soạn phản hồi", "Draft a reply"),
    "start_from": ("Bắt đầu từ", "Start from"),
    "blank": ("Trang trắng", "Blank"),
    "from_claim": ("Luận điểm", "Claim"),
    "from_template": ("Mẫu", "Template"),
    "reply_text": ("Nội dung phản hồi", "Reply text"),
    "reply_sources": ("Nguồn chính thức (mỗi dòng một nguồn)", "Official sources (one per line)"),
    "posted_where": ("Đăng ở đâu (đường dẫn)", "Posted where (link)"),
    "posted_date": ("Ngày đăng", "Posted on"),
    "posted_time": ("Giờ đăng", "Posted at"),
    "add_claim": ("Thêm luận điểm này vào thư viện", "Add this claim to the library"),
    "claim_text": ("Luận điểm (câu sai cần bác bỏ)", "Claim (the statement being answered)"),
    "save_rebuttal": ("Lưu phản hồi và đánh dấu đã phản hồi", "Save reply and mark responded"),
    "take_first": ("Nhận xử lý thẻ trước khi phản hồi.", "Take the card before replying."),
    "replies_of_card": ("Phản hồi đã đăng cho thẻ này", "Replies posted for this card"),
    "pick_card": ("Chọn một thẻ ở trang Hàng đợi.", "Pick a card on the Queue page."),
    "held_by": ("Đang do {who} xử lý", "Held by {who}"),
    "verdict_false": ("Sai sự thật", "False"),
    "verdict_misleading": ("Gây hiểu lầm", "Misleading"),
    "verdict_scam": ("Lừa đảo", "Scam"),
    "verdict_unverified": ("Chưa kiểm chứng", "Unverified"),
    "verdict_true": ("Đúng", "True"),
    # support
    "department": ("Bộ phận phụ trách", "Department"),
    "contact": ("Liên hệ", "Contact"),
    "support_cases": ("Phản ánh đang mở", "Open support cases"),
    "support_help": ("Phản ánh của người lao động không phải là tấn công: chuyển đến bộ phận có thể giúp.",
                     "A worker's grievance is not an attack: forward it to the department that can help."),
    # label
    "label_mode": ("Chế độ", "Mode"),
    "label_mode_queue": ("Từ hàng đợi", "From the queue"),
    "label_mode_next": ("Gán nhãn tiếp theo (học chủ động)", "Label next (active learning)"),
    "label_next_help": ("Những bài mô hình phân vân nhất và khác nhau nhất: mỗi nhãn dạy mô hình nhiều nhất.",
                        "The posts the model is least sure about, and unlike each other: each label teaches it most."),
    "label_save": ("Lưu nhãn (xác nhận hoặc sửa)", "Save label (confirm or correct)"),
    "label_skip": ("Bỏ qua bài này", "Skip this one"),
    "label_done_all": ("Đã gán hết các bài được chọn. Tải lại để chọn thêm.", "All selected posts are labelled. Reload for more."),
    "model_said": ("Mô hình đoán", "The model said"),
    "labelled_count": ("Đã gán nhãn", "Labelled"),
    "correct_label": ("Sửa nhãn", "Correct the label"),
    "confirm": ("Xác nhận", "Confirm"),
    "no_model": ("Chưa có mô hình để chọn bài.", "No model available to pick posts."),
    # trends
    "dimension": ("Theo", "By"),
    "dim_category": ("Loại", "Category"),
    "dim_topic": ("Chủ đề", "Topic"),
    "dim_source": ("Nguồn", "Source"),
    "dim_district": ("Huyện, thành phố", "District"),
    "days": ("Số ngày", "Days"),
    "flagged_only": ("Chỉ tin cần xử lý", "Flagged only"),
    "daily_volume": ("Số bài mỗi ngày", "Items per day"),
    "spikes": ("Tăng đột biến hôm nay", "Spikes today"),
    "no_spikes": ("Không có tăng đột biến hôm nay.", "No spikes today."),
    "spike_line": ("{key}: {n} bài hôm nay (trung bình 28 ngày: {mean}/ngày)",
                   "{key}: {n} items today (28-day mean: {mean}/day)"),
    "stories_behind": ("Các câu chuyện đứng sau", "Stories behind it"),
    "gaps": ("Gián đoạn thu thập", "Collection gaps"),
    "no_gaps": ("Không có gián đoạn trong 14 ngày qua.", "No gaps in the last 14 days."),
    "gap_gap": ("không thu được bài nào", "yielded nothing"),
    "gap_failed": ("lần thu thập bị lỗi", "crawl failed"),
    "gap_no_run": ("không có lần thu thập thành công", "no successful crawl"),
    "no_data": ("Chưa có dữ liệu.", "No data yet."),
    "day": ("Ngày", "Day"),
    "count": ("Số bài", "Items"),
    # reports
    "year": ("Năm", "Year"),
    "period": ("Kỳ báo cáo", "Period"),
    "half_1": ("6 tháng đầu năm", "First half"),
    "half_2": ("6 tháng cuối năm", "Second half"),
    "full_year": ("Cả năm", "Full year"),
    "download_xlsx": ("Tải bảng tổng hợp (XLSX)", "Download the summary (XLSX)"),
    "digest": ("Bản tin ngày", "Daily digest"),
    "digest_day": ("Ngày", "Day"),
    "download_digest_html": ("Tải bản tin (HTML)", "Download the digest (HTML)"),
    "download_digest_xlsx": ("Tải bản tin (XLSX)", "Download the digest (XLSX)"),
    # sources
    "gap_sources": ("Nguồn có gián đoạn", "Sources with gaps"),
    "recent_runs": ("Các lần thu thập gần đây", "Recent crawls"),
    "recent_cycles": ("Các chu kỳ chạy đêm gần đây", "Recent nightly cycles"),
    # models
    "task_category": ("Loại nội dung", "Category"),
    "task_topic": ("Chủ đề", "Topic"),
    "task_toxicity": ("Xúc phạm, độc hại", "Toxicity"),
    "eval_set": ("Tập đánh giá", "Evaluation set"),
    "current_model": ("Mô hình đang dùng", "Current model"),
    "candidates": ("Mô hình ứng viên", "Candidate models"),
    "no_candidates": ("Chưa có mô hình ứng viên. Huấn luyện bằng: langnghe train --from-labels",
                      "No candidates yet. Train one with: langnghe train --from-labels"),
    "compare": ("So sánh trên cùng tập đánh giá", "Compared on the same evaluation texts"),
    "metric": ("Chỉ số", "Metric"),
    "candidate": ("Ứng viên", "Candidate"),
    "promote": ("Đưa vào sử dụng", "Promote"),
    "promote_anyway": ("Vẫn đưa vào dù kém hơn", "Promote even if worse"),
    "promoted": ("Đã đưa {name} vào sử dụng.", "{name} is now in use."),
    "rollback": ("Quay lại mô hình", "Roll back to"),
    "rollback_do": ("Quay lại", "Roll back"),
    "rolled_back": ("Đã quay lại {name}.", "Rolled back to {name}."),
    "model_history": ("Lịch sử thay đổi", "Change history"),
    "all_models": ("Tất cả phiên bản", "All versions"),
    "worse_warning": ("Ứng viên kém hơn mô hình đang dùng trên cùng tập đánh giá.",
                      "The candidate is worse than the current model on the same texts."),
    "rescore_note": ("Sau khi đổi mô hình, chạy `langnghe score` để chấm lại các bài.",
                     "After changing a model, run `langnghe score` to re-score the items."),
    # users
    "users": ("Tài khoản", "Accounts"),
    "add_user": ("Thêm người dùng", "Add a user"),
    "display_name": ("Tên hiển thị", "Display name"),
    "role": ("Vai trò", "Role"),
    "change_role": ("Đổi vai trò", "Change role"),
    "enable": ("Mở khoá", "Enable"),
    "disable": ("Khoá tài khoản", "Disable"),
    "active": ("Hoạt động", "Active"),
    "user": ("Người dùng", "User"),
    "audit": ("Nhật ký quản trị", "Audit log"),
    "user_added": ("Đã tạo tài khoản {name}.", "Created the account {name}."),
    "save": ("Lưu", "Save"),
}


def lang() -> str:
    return st.session_state.get("lang", "vi")


def t(key: str, /, **kw: object) -> str:
    vi, en = STRINGS.get(key, (key, key))
    text = en if lang() == "en" else vi
    return text.format(**kw) if kw else text


def labels(options, fn):
    """A ``format_func`` whose labels are computed now, in this run and language
    (AppTest formats options later, outside the run, where session state is empty)."""
    table = {o: fn(o) for o in options}
    return lambda o: table.get(o, str(o))


def name(table: dict[str, tuple[str, str]], key: str | None) -> str:
    if key is None:
        return "—"
    vi, en = table.get(key, (key, key))
    return en if lang() == "en" else vi


def local_time(when: datetime | None, tz: str) -> datetime | None:
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(ZoneInfo(tz))


def fmt_time(when: datetime | None, tz: str, with_year: bool = False) -> str:
    """dd/mm HH:MM in the office's time zone ("—" when unknown)."""
    when = local_time(when, tz)
    if when is None:
        return "—"
    return f"{when:%d/%m/%Y %H:%M}" if with_year else f"{when:%d/%m %H:%M}"


def fmt_day(day: date | None) -> str:
    return "—" if day is None else f"{day:%d/%m/%Y}"
