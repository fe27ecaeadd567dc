from nlp.segment import facets, make_doc, nlp, prepare, segment


def test_segment_keeps_multi_syllable_words():
    tokens = segment("Công đoàn hỗ trợ công nhân bị nợ lương, bảo hiểm xã hội")
    assert "công đoàn" in tokens and "công nhân" in tokens and "bảo hiểm xã hội" in tokens


def test_placeholders_are_never_glued():
    tokens = segment("tức quá 😡 https://x.vn")
    assert "EMO_ANGRY" in tokens and "URL" in tokens


def test_facets_with_and_without_diacritics():
    f = facets("LĐLĐ tỉnh Lai Châu hỗ trợ công nhân ở Tam Đường rút BHXH 1 lần")
    assert f["organisation"] == ["Liên đoàn Lao động tỉnh Lai Châu"]
    assert f["place"] == ["Lai Châu", "Tam Đường"]
    assert "BHXH một lần" in f["policy"]
    g = facets("ldld tinh lai chau ho tro cong nhan o tam duong")
    assert g["place"] == ["Lai Châu", "Tam Đường"]


def test_ambiguous_place_names_need_their_prefix():
    assert "place" not in facets("anh em phải đoàn kết")
    assert facets("phường Đoàn Kết có mưa")["place"] == ["Đoàn Kết"]


def test_spacy_doc_without_pyvi():
    pipeline = nlp()
    assert pipeline.lang == "vi"
    doc = make_doc("Công đoàn công ty may ở Than Uyên")
    assert "công đoàn" in [t.text for t in doc]
    labels = {(e.label_, e.kb_id_) for e in doc.ents}
    assert ("PLACE", "Than Uyên") in labels


def test_prepare_runs_everything_once():
    p = prepare("Cty ở Sìn Hồ nợ lương 😡")
    assert p.tokens[0] == "công ty"
    assert p.facets["place"] == ["Sìn Hồ"]
    assert p.flags["has_emoji"]


def test_segmentation_agrees_with_word_tokenize():
    from underthesea import word_tokenize

    from nlp.normalize import normalize

    texts = [
        "Liên đoàn Lao động tỉnh Lai Châu tổ chức chương trình Tết Sum vầy cho công nhân lao động",
        "Công ty nợ lương, không đóng bảo hiểm xã hội cho người lao động suốt hai năm",
        "Người dân huyện Tam Đường phản ánh về việc thu hồi đất làm thủy điện",
    ]
    for text in texts:
        norm = normalize(text).text
        ours, theirs = segment(text), word_tokenize(norm)
        overlap = len(set(ours) & set(theirs)) / len(set(theirs))
        assert overlap >= 0.9, (ours, theirs)


def test_drop_terms_remove_the_unions_vocabulary_for_tone_tasks():
    from nlp.features import Preparer
    from nlp.segment import prepare, read_terms

    terms = read_terms("tone_neutral_terms")
    assert "công đoàn" in terms
    text = "Công đoàn tỉnh Lai Châu họp, cong doan co so thì im, đồ ăn hại"
    doc = prepare(text, drop=terms)
    assert "công đoàn" not in doc.text and "cong doan" not in doc.shadow
    assert "ăn hại" in doc.text and doc.facets == {}
    assert not {"công đoàn", "cong doan", "lai châu"} & set(doc.tokens)
    assert prepare("Công đoàn Lai Châu").facets  # without drop: facets as usual
    # A text prepared once (as the Analyzer does) gives the same words to a tone task.
    shared = Preparer().transform([text])[0]
    again = Preparer(drop_terms=terms).transform([shared])[0]
    assert (again.text, again.tokens, again.facets) == (doc.text, doc.tokens, doc.facets)
