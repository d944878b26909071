"""Chinese text: normalisation, segmentation with the government vocabulary, query terms,
snippets of the original text."""

from __future__ import annotations

from django.utils.safestring import SafeString

from tongban.core import text
from tongban.core.text import Term


def test_normalise_folds_width_case_and_whitespace():
    assert text.normalise("  ＡＢＣ　政务\n\t服务 ２０２６ ") == "abc 政务 服务 2026"
    assert text.normalise("（一）Hello") == "(一)hello"
    assert text.normalise("") == ""


def test_government_vocabulary_is_loaded_and_kept_whole():
    assert {"一网通办", "营商环境", "发文字号", "放管服", "政务服务"} <= set(text.vocabulary())
    words = text.segment("推进一网通办，优化营商环境，落实放管服，规范发文字号。")
    assert {"一网通办", "营商环境", "放管服", "发文字号"} <= set(words)


def test_index_tokens_hold_long_words_and_their_parts_without_punctuation():
    tokens = text.index_tokens("居民身份证号码和政务服务中心；城市规划局！<b>Ｈｅｌｌｏ</b> 😀")
    # Long words and every dictionary word inside them, including parts of four characters
    # or more, which rjieba's search mode alone leaves out.
    assert {"居民身份证号码", "居民身份证", "身份证", "号码"} <= set(tokens)
    assert {"政务服务中心", "政务服务", "服务", "中心"} <= set(tokens)
    assert {"城市", "规划", "规划局"} <= set(tokens)
    assert "hello" in tokens and "b" in tokens
    assert "和" not in tokens  # a function character
    assert all(token.isalnum() for token in tokens)


def test_tokens_are_cut_to_a_maximum_length():
    tokens = text.index_tokens("x" * 500)
    assert tokens == ["x" * text.MAX_TOKEN_CHARS]
    assert text.parse_query("x" * 500) == [Term("x" * text.MAX_TOKEN_CHARS)]


def test_query_words_and_parts():
    assert text.parse_query("城市 规划") == [Term("城市"), Term("规划")]
    # Typed without a space: the word, or both of its parts.
    assert text.parse_query("城市规划") == [Term("城市规划", ("城市", "规划"))]
    assert text.parse_query("教育经费") == [Term("教育经费", ("教育", "经费"))]
    # A vocabulary word the dictionary cannot cover entirely stays whole.
    assert text.parse_query("一网通办") == [Term("一网通办")]
    assert text.query_terms("城市规划 教育") == ["城市规划", "城市", "规划", "教育"]


def test_single_characters_are_prefix_terms_and_function_characters_are_dropped():
    terms = text.parse_query("税 的 改革")
    assert terms == [Term("税"), Term("改革")]
    assert terms[0].prefix and not terms[1].prefix
    assert text.parse_query("的 和 在") == []


def test_hostile_queries_leave_only_words():
    assert text.parse_query('"营商环境" AND (教育 OR 经费*) NEAR(a b) title:税 😀') == [
        Term("营商环境", ("营商", "环境")),
        Term("教育"),
        Term("经费"),
        Term("a"),
        Term("b"),
        Term("title"),
        Term("税"),
    ]
    for q in ["", "   ", '"', "*", "()", ":", "😀😀", "。，、！", "AND OR NOT NEAR", None]:
        assert text.parse_query(q) == []  # type: ignore[arg-type]


def test_long_queries_are_bounded():
    terms = text.parse_query(
        "城市规划 教育经费 营商环境 " + " ".join(f"词{i}" for i in range(5000))
    )
    assert len(terms) == text.MAX_QUERY_TERMS
    assert terms[0] == Term("城市规划", ("城市", "规划"))
    assert len(text.parse_query("政" * 10_000)) <= text.MAX_QUERY_TERMS


def test_snippet_marks_hits_in_the_original_text_and_escapes_it():
    body = "<b>注意</b>关于推进城市规划的通知<script>alert('x')</script>" + "正文内容。" * 60
    body += "城市再次出现"
    result = text.snippet(body, ["城市规划", "城市", "规划"], width=60)
    assert isinstance(result, SafeString)
    assert "<script>" not in result and "<b>" not in result
    assert result.startswith("&lt;b&gt;注意&lt;/b&gt;关于推进")
    assert "的通知&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;正文" in result
    # The longest term wins where terms overlap; the window starts near the first hit.
    assert "<mark>城市规划</mark>" in result
    assert result.endswith("…") and not result.startswith("…")
    assert "城市再次出现" not in result


def test_snippet_cuts_before_a_late_hit_and_marks_every_hit_in_the_window():
    body = "前言。" * 100 + "营商环境要优化，营商环境要改善。" + "结尾。" * 100
    result = text.snippet(body, ["营商环境"], width=40)
    assert result.startswith("…") and result.endswith("…")
    assert result.count("<mark>营商环境</mark>") == 2
    # About the width asked for, plus the two ellipses and the markup.
    assert len(result.replace("<mark>", "").replace("</mark>", "")) <= 42


def test_snippet_matches_across_width_and_case_but_shows_the_original_characters():
    result = text.snippet("文件编号ＡＢＣ－１２，见 Abc 附件", text.query_terms("abc"))
    assert result == "文件编号<mark>ＡＢＣ</mark>－１２，见 <mark>Abc</mark> 附件"


def test_snippet_without_a_hit_is_the_start_of_the_text():
    assert text.snippet("一二三四五六七八九十" * 3, ["无关"], width=10) == "一二三四五六七八九十…"
    assert text.snippet("短文 <b>", []) == "短文 &lt;b&gt;"
    assert text.snippet("", ["城市"]) == ""


def test_snippet_collapses_whitespace():
    assert text.snippet("第一行\n\n   第二行\t城市", ["城市"]) == "第一行 第二行 <mark>城市</mark>"
