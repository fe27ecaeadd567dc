"""Small labelled data made here, so NLP tests train tiny models in seconds."""

from __future__ import annotations

import random

GRIEVANCE = [
    "Công ty nợ lương công nhân {n} tháng rồi, công đoàn ở đâu",
    "cty chậm trả lương {n} tháng, anh em khổ quá",
    "Làm tăng ca {n} tiếng mà không được trả tiền làm thêm",
    "Công ty không đóng bảo hiểm xã hội cho công nhân {n} năm nay",
    "chủ xưởng trừ lương vô lý, {n} ngày nghỉ ốm cũng trừ",
]
SCAM = [
    "Nhận hỗ trợ {n} triệu từ công đoàn, bấm link bit.ly/nhantien{n} để đăng ký ngay",
    "Rút BHXH một lần nhanh, phí {n}00k, liên hệ 0912 345 6{n}8",
    "Vay tiền không thế chấp cho công nhân, giải ngân {n} phút, inbox ngay",
    "Chúc mừng bạn trúng thưởng {n} triệu, chuyển khoản phí nhận quà trước",
    "Việc nhẹ lương cao {n} triệu/tháng, đóng phí giữ chỗ ngay hôm nay",
]
NEUTRAL = [
    "Liên đoàn Lao động tỉnh tổ chức hội nghị tổng kết năm {n}",
    "Lịch nghỉ Tết năm nay kéo dài {n} ngày theo thông báo",
    "Công đoàn cơ sở họp ban chấp hành quý {n}",
    "Thời tiết Lai Châu hôm nay có mưa rào, nhiệt độ {n}0 độ",
    "Hội thao công nhân viên chức lần thứ {n} diễn ra tại thành phố",
]


def make_data(per_class: int = 24, seed: int = 0) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts, labels = [], []
    for label, templates in (("grievance", GRIEVANCE), ("scam", SCAM), ("neutral", NEUTRAL)):
        for i in range(per_class):
            text = templates[i % len(templates)].format(n=rng.randint(1, 9))
            if i % 3 == 1:
                from nlp.normalize import strip_diacritics

                text = strip_diacritics(text)
            texts.append(text)
            labels.append(label)
    return texts, labels


FAST = {"clf": {"cv": 2}, "words": {"min_df": 1}, "shadow": {"min_df": 1}}
