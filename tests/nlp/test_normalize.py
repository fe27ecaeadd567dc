from nlp.normalize import normalize, strip_diacritics, word_map
from pathlib import Path


def test_teencode_dictionary_is_large_and_expands_common_forms():
    rows = [l for l in (Path(__file__).parents[2] / "nlp/data/teencode.tsv").read_text("utf-8").splitlines()
            if l and not l.startswith("#")]
    assert len(rows) >= 150
    text = normalize("Cty ko trả lương, cđ với lđlđ đc j ko, mn ơi, bhxh thì sao").text
    assert text == ("công ty không trả lương, công đoàn với liên đoàn lao động được gì không, "
                    "mọi người ơi, bảo hiểm xã hội thì sao")
    assert word_map()["hok"] == "không"


def test_teencode_only_matches_whole_words():
    assert normalize("giá 500k, 5kg gạo").text == "giá 500k, 5kg gạo"


def test_placeholders_and_flags():
    n = normalize("Liên hệ 0912.345.678 hoặc +84 912 345 678 hoặc 0987654321, "
                  "mail a.b@gmail.com, xem https://bit.ly/x và langnghe.vn/abc @nguyen.van")
    assert n.text.count("PHONE") == 3
    assert "EMAIL" in n.text and n.text.count("URL") == 2 and "MENTION" in n.text
    assert n.flags["has_phone"] and n.flags["has_email"] and n.flags["has_url"] and n.flags["has_mention"]
    assert "0912" not in n.text and "gmail" not in n.text


def test_dates_and_amounts_are_not_phones():
    n = normalize("Ngày 01.02.2024 nhận 1.500.000 đồng, năm 2025")
    assert "PHONE" not in n.text
    assert n.flags["has_money"]


def test_emoji_emoticons_and_laughter():
    n = normalize("Tức quá 😡😡 :( hahaha =))) <3 👍")
    assert n.text == "tức quá EMO_ANGRY EMO_ANGRY EMO_SAD EMO_LAUGH EMO_LAUGH EMO_LOVE EMO_LIKE"
    assert n.flags["has_emoji"]
    assert normalize("🦜").text == "EMO_OTHER"


def test_repeated_letters_and_tone_placement():
    assert normalize("quáaaaa điiiii").text == "quá đi"
    assert normalize("Thuỷ điện hoà bình khoẻ quý lựơng").text == "thủy điện hòa bình khỏe quý lượng"
    assert normalize("Ðảm bảo").text == "đảm bảo"


def test_shadow_joins_spellings_and_nfc():
    decomposed = "Co\u0302ng đoa\u0300n"  # NFD input
    assert normalize(decomposed).text == "công đoàn"
    assert normalize("công đoàn").shadow == normalize("cong doan").shadow == "cong doan"
    assert strip_diacritics("Đường Lai Châu") == "Duong Lai Chau"


def test_flags_shouting_and_no_diacritics():
    n = normalize("CONG DOAN LAI CHAU DA LAM GI CHO CONG NHAN!!!")
    assert n.flags["shouting"] and n.flags["exclaim"] and n.flags["no_diacritics"]
    assert not normalize("Công đoàn đã làm gì").flags["no_diacritics"]


def test_teencode_expansions_do_not_hide_text_typed_without_accents():
    n = normalize("ko biet cd lam gi dc k")
    assert "không" in n.text and "công đoàn" in n.text  # expanded...
    assert n.flags["no_diacritics"]  # ...but the writer typed no accents


def test_empty_and_odd_input():
    assert normalize("").text == ""
    assert normalize("   \u200b ").text == ""
    assert normalize(None).text == ""
