"""Raw text into words (``--tokenize``): the rules per script family, the segmenters, the offsets."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordalign.errors import ConfigError
from wordalign.segment import check_language
from wordalign.segment.split import Segmenter, Word
from wordalign.segment.cjk import missing_segmenter

split = Segmenter()


def words(line: str, segmenter: Segmenter = split) -> list[str]:
    return [str(word) for word in segmenter(line)]


@pytest.mark.parametrize("line, expected", [
    # Latin: punctuation off, numbers, abbreviations, URLs, e-mail, hyphens and apostrophes kept or split
    ("Hello, world! It costs 1,000.5 dollars (U.S.) at 12:30.",
     ["Hello", ",", "world", "!", "It", "costs", "1,000.5", "dollars", "(", "U.S.", ")", "at", "12:30", "."]),
    ("See https://example.com/a?b=1, or www.example.org. Mail a.b+c@mail.example.org!",
     ["See", "https://example.com/a?b=1", ",", "or", "www.example.org", ".", "Mail", "a.b+c@mail.example.org", "!"]),
    ("Dr. Smith et al. said e.g. state-of-the-art... etc.",
     ["Dr.", "Smith", "et", "al", ".", "said", "e.g.", "state-of-the-art", "...", "etc."]),
    ("Don't! It's John's car, they're sure.",
     ["Do", "n't", "!", "It", "'s", "John", "'s", "car", ",", "they", "'re", "sure", "."]),
    ("L'homme d'affaires qu'il voit aujourd'hui, dell'anno.",
     ["L'", "homme", "d'", "affaires", "qu'", "il", "voit", "aujourd'hui", ",", "dell'", "anno", "."]),
    ("Das Auto z.B. kostet 3/4 mehr – wirklich?!", ["Das", "Auto", "z.B.", "kostet", "3/4", "mehr", "–", "wirklich", "?", "!"]),
    # Cyrillic, Greek, Arabic, Devanagari
    ("Привет, мир! «Ёлка» — это т.е. ель.", ["Привет", ",", "мир", "!", "«", "Ёлка", "»", "—", "это", "т.е.", "ель", "."]),
    ("Καλημέρα, κόσμε; Τι κάνεις·", ["Καλημέρα", ",", "κόσμε", ";", "Τι", "κάνεις", "·"]),
    ("مرحبا، كيف حالك؟ عام 2024.", ["مرحبا", "،", "كيف", "حالك", "؟", "عام", "2024", "."]),
    ("नमस्ते, आप कैसे हैं? हिन्दी।", ["नमस्ते", ",", "आप", "कैसे", "हैं", "?", "हिन्दी", "।"]),
])
def test_space_delimited_scripts(line, expected):
    assert words(line) == expected


def test_emoji_combining_marks_joiners_and_unusual_spaces():
    line = "e\u0301cole 👩🏽\u200d💻 🇫🇷!! a\u00a0b\u3000c می\u200cخواهم a\u200bb Wort\u00adteil"
    assert words(line) == ["e\u0301cole", "👩🏽\u200d💻", "🇫🇷", "!!", "a", "b", "c", "می\u200cخواهم", "a", "b",
                           "Wort\u00adteil"]


def test_chinese_is_segmented_and_numbers_inside_stay_whole():
    assert words("我爱北京天安门，价格是1,000.5元。") == ["我", "爱", "北京", "天安门", "，", "价格", "是", "1,000.5", "元", "。"]


def test_chinese_compounds_split_into_dictionary_words_and_numbers_keep_their_unit():
    assert words("美国政府工作人员") == ["美国", "政府", "工作", "人员"]
    assert words("1990年5月22日电，增长10%，达4.6亿元") == [
        "1990年", "5月", "22日", "电", "，", "增长", "10%", "，", "达", "4.6亿", "元"]
    assert words("up 10% in 1990") == ["up", "10", "%", "in", "1990"]  # not on a line without Chinese
    assert words("5月です", Segmenter("ja"))[:2] == ["5", "月"]  # nor on a Japanese one


def test_japanese_is_analysed_into_short_words():
    assert words("私は東京に住んでいます。Hello!") == ["私", "は", "東京", "に", "住ん", "で", "い", "ます", "。", "Hello", "!"]


def test_the_language_option_chooses_the_segmenter_of_han_text():
    assert Segmenter("ja").languages_needed("東京") == {"ja"}
    assert split.languages_needed("東京") == {"zh"} and split.languages_needed("東京です") == {"ja"}
    assert split.languages_needed("Tokyo") == set()
    with pytest.raises(ConfigError, match="a code such as en"):
        check_language("not a code")


def test_scripts_without_a_segmenter_go_to_the_pieces_given_or_stay_whole():
    line = "ภาษาไทยง่าย and ខ្មែរ"
    assert words(line) == ["ภาษาไทยง่าย", "and", "ខ្មែរ"]
    halves = Segmenter(pieces=lambda run: [(0, len(run) // 2), (len(run) // 2, len(run))])
    assert words(line, halves) == ["ภาษาไ", "ทยง่าย", "and", "ខ្", "មែរ"]
    assert halves.pieces_runs == 2


def test_a_missing_segmenter_names_its_install_command():
    assert "pip install 'wordalign[zh]'" in str(missing_segmenter("zh"))
    assert "pip install 'wordalign[ja]'" in str(missing_segmenter("ja"))


ALPHABET = st.sampled_from(list("aé-'’.,!?1 2:/@") + ["\u0301", "\u200d", "\u200c", "\u00a0", "\u3000", "\u200b",
                                                      "👍", "🏽", "🇫", "Я", "ß", "ि", "ب", "東", "京", "は", "ไ", "\t"])


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=30).map("".join))
def test_offsets_round_trip_in_order_and_every_letter_is_in_a_word(line):
    found = split(line)
    assert all(isinstance(word, Word) and line[word.start : word.end] == word and word for word in found)
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))
    assert not any(char.isspace() for word in found for char in word)
    covered = {k for word in found for k in range(word.start, word.end)}
    assert all(k in covered for k, char in enumerate(line) if char.isalnum())


# The command line and the API on raw text, with the real embedded encoder.
RAW_SRC = ["Das Haus ist klein, oder?", "", "我爱北京天安门。", "ภาษาไทยง่าย", "L'homme d'affaires arrive à 12:30 👍."]
RAW_TGT = ["The house is small, isn't it?", "an orphan line", "I love Beijing's Tiananmen.", "Thai is easy.",
           "The businessman arrives at 12:30 👍."]
F32 = ["--dtype", "float32"]


@pytest.fixture(scope="module")
def raw_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("raw")
    for name, lines in (("src.txt", RAW_SRC), ("tgt.txt", RAW_TGT)):
        (folder / name).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(folder / "src.txt"), str(folder / "tgt.txt")


def test_raw_text_is_aligned_with_offsets_and_the_split_reads_back(raw_files, tmp_path, capsys):
    from test_cli import check_golden

    from wordalign.cli import run

    assert run(["align", *raw_files, "--tokenize", "-f", "jsonl", "-q", *F32]) == 0
    jsonl = capsys.readouterr().out
    records = [json.loads(line) for line in jsonl.splitlines()]
    assert len(records) == len(RAW_SRC) and records[1]["src"] == [] and records[1]["src_offsets"] == []
    for record, src, tgt in zip(records, RAW_SRC, RAW_TGT):
        for words, offsets, raw in ((record["src"], record["src_offsets"], src),
                                    (record["tgt"], record["tgt_offsets"], tgt)):
            assert [raw[a:b] for a, b in offsets] == words
    assert records[3]["src"] == ["ภาษาไทย", "ง่าย"]  # Thai: the encoder's pieces
    check_golden("raw.jsonl", jsonl)
    # `-f words` writes the split as 'src ||| tgt' lines; aligned as pre-tokenized text, they give the same links.
    assert run(["align", *raw_files, "--tokenize", "-f", "words", "-q", *F32]) == 0
    split_text = capsys.readouterr().out
    check_golden("raw.words", split_text)
    (tmp_path / "split.txt").write_text(split_text, encoding="utf-8")
    assert run(["align", str(tmp_path / "split.txt"), "-q", *F32]) == 0
    assert capsys.readouterr().out.splitlines() == [" ".join(f"{i}-{j}" for i, j in r["links"]) for r in records]


def test_the_api_takes_raw_strings():
    from wordalign import Aligner

    aligner = Aligner(device="cpu", dtype="float32")
    pair = aligner.align("Das Haus ist klein, oder?", "The house is small, isn't it?", tokenize=True)
    assert pair.src == ["Das", "Haus", "ist", "klein", ",", "oder", "?"]
    assert (pair.src[4].start, pair.src[4].end) == (18, 19)
    assert (1, 1) in pair.links and "src_offsets" in pair.to_json()
    assert aligner.align("Das Haus", "The house").src == ["Das", "Haus"]  # split on spaces without tokenize
    assert "|words:tokenize(src_lang=de,tgt_lang=auto)" in Aligner(tokenize=True, src_lang="de").signature


def test_project_splits_a_raw_target_and_gives_character_offsets(tmp_path, capsys):
    from wordalign.cli import run

    source = tmp_path / "src.jsonl"
    source.write_text(json.dumps({"tokens": ["Angela", "Merkel", "visited", "Paris", "."],
                                  "spans": [{"start": 0, "end": 2, "label": "PER"},
                                            {"start": 3, "end": 4, "label": "LOC"}]}) + "\n", encoding="utf-8")
    target = tmp_path / "tgt.txt"
    raw = "Angela Merkel a visité Paris."
    target.write_text(raw + "\n", encoding="utf-8")
    assert run(["project", str(source), str(target), "--tokenize", "-q", *F32]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["tokens"][-2:] == ["Paris", "."]
    assert {(raw[s["char_start"] : s["char_end"]], s["label"]) for s in record["spans"]} == {
        ("Angela Merkel", "PER"), ("Paris", "LOC")}


def test_a_missing_segmenter_stops_before_the_model_loads(raw_files, capsys, monkeypatch):
    import sys

    import wordalign.align.pipeline
    from wordalign.cli import run
    from wordalign.segment import cjk

    def no_model(*args, **kwargs):
        raise AssertionError("the model was loaded before the segmenters were checked")

    monkeypatch.setattr(wordalign.align.pipeline, "Aligner", no_model)
    monkeypatch.setitem(sys.modules, "jieba", None)  # as if not installed
    cjk._jieba.cache_clear()
    try:
        assert run(["align", *raw_files, "--tokenize"]) == 2
    finally:
        cjk._jieba.cache_clear()
    assert "pip install 'wordalign[zh]'" in capsys.readouterr().err
