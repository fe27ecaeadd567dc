from nlp.active import select_for_labelling
from nlp.claims import ClaimMatcher

CLAIMS = [
    (10, "Từ tháng 7 người lao động sẽ không được rút bảo hiểm xã hội một lần nữa"),
    (11, "Công đoàn thu thêm 2% lương của công nhân từ năm sau"),
    (12, "Nhà máy thủy điện Lai Châu sắp vỡ đập, người dân phải sơ tán ngay"),
]


def test_claim_matching_survives_paraphrase_and_missing_diacritics():
    m = ClaimMatcher().fit(CLAIMS)
    texts = [
        "tu thang 7 nguoi lao dong se khong duoc rut bhxh 1 lan nua",  # no diacritics + teencode
        "nghe nói sắp tới công nhân không còn được rút BHXH một lần, thật không mọi người?",  # paraphrase
        "Công đoàn sẽ thu thêm 2 phần trăm tiền lương công nhân",
        "đập thủy điện lai châu sắp vỡ, sơ tán gấp",
        "Hôm nay trời đẹp, đi chơi thôi",
    ]
    out = m.match(texts, k=3, min_score=0.3)
    assert out[0][0][0] == 10 and out[0][0][1] > 0.6
    assert out[1][0][0] == 10
    assert out[2][0][0] == 11
    assert out[3][0][0] == 12
    assert out[4] == []
    assert all(len(row) <= 3 for row in out)
    assert m.match([]) == []


def test_selection_prefers_uncertain_and_diverse(tiny_pipeline):
    pool = ["Công ty nợ lương công nhân 3 tháng rồi"] * 5 + [
        "công đoàn có hỗ trợ gì không",
        "link nhận quà tết công đoàn",
        "họp công nhân về lương",
        "trời mưa to quá",
        "hội thao",
    ]
    picked = select_for_labelling(tiny_pipeline, pool, k=4)
    assert len(picked) == 4 == len(set(picked))
    assert sum(1 for i in picked if i < 5) <= 1  # duplicates are not all picked
    assert select_for_labelling(tiny_pipeline, pool, k=0) == []
    assert len(select_for_labelling(tiny_pipeline, pool[:3], k=10)) <= 3
