"""How a line reads: question words and marks, generic labels, and a title without numbering."""

from __future__ import annotations

import re

from studyapp.notes import syntax

QUESTION_STARTS = ("如何", "为什么", "为何", "怎么", "怎样", "什么是", "什么", "是否", "哪些", "哪个",
                   "解释", "简述", "说明", "比较", "描述", "请", "how ", "why ", "what ", "when ",
                   "explain ", "describe ", "compare ", "define ", "name ", "what's ", "what’s ")
QUESTION_WORDS = ("缺点", "不足", "优缺点", "区别", "是什么", "有什么", "有哪些", "吗", " vs. ", " vs ", " versus ")
QUESTION_ENDS = ("？", "?")
GENERIC_LABELS = {
    "结构", "应用", "优点", "缺点", "问题", "分类", "原理", "特点", "定义", "作用", "步骤", "总结",
    "方法", "概念", "区别", "解决", "解决方法", "原因", "示例", "例子", "优势", "基本原理", "用途",
    "介绍", "简介", "公式", "实现", "代码", "注意", "注意事项", "场景", "应用场景", "overview",
    "structure", "usage", "applications", "pros", "cons", "summary", "example",
}
ANSWER_LABELS = {"answer", "answers", "solution", "show answer", "show", "click", "click to expand",
                 "details", "答案", "解答", "回答", "参考答案", "展开", "点击展开", "查看答案", "点击查看", "解析", "参考回答"}
QA_TABLE_HEADERS = {"question", "questions", "q", "问题", "问", "题目", "front", "term", "terms", "术语",
                    "名词", "概念", "concept", "prompt"}
MAX_QUESTION_LINE = 60  # a plain line longer than this is prose, unless it ends in a question mark

# numbering is digits followed by a mark or a space: "12. ", "3.4.1 ", "7) ", "一、"; not "3D", "1x1", "100%"
_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|\d+(?:\.\d+)*(?:[、.．)](?!\d)|\s)|[（(]\d+[）)])\s*")
# a page's title keeps a bare leading count ("# 100 Questions"): only a marked number is its numbering
_TITLE_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|\d+(?:\.\d+)*[、.．)](?!\d)|\d+(?:\.\d+)+\s|[（(]\d+[）)])\s*")
TRAILING_PUNCT = "：:，,;；"
_QUESTION_WORD = re.compile("|".join(map(re.escape, QUESTION_WORDS)))  # one scan of the line, not one per word


def clean_title(text: str, page_title: bool = False) -> str:
    """Heading/bold text without markup, numbering, prefixes, emoji or trailing colons.

    ``page_title``: the file's title, where a bare number followed by a space is part of the
    name (``# 100 Questions``) rather than a section number (``## 1 Introduction``)."""
    text = text.replace("**", "").replace("__", "").strip()
    text = syntax.clean_front(text)
    text = (_TITLE_NUMBERING if page_title else _NUMBERING).sub("", text, count=1).strip()
    return text.rstrip(TRAILING_PUNCT).strip()


def looks_like_question(text: str) -> bool:
    lowered = text.strip().lower()
    if not lowered:
        return False
    return (lowered.endswith(QUESTION_ENDS) or lowered.startswith(QUESTION_STARTS)
            or _QUESTION_WORD.search(lowered) is not None)


def opens_a_question(text: str) -> bool:
    """Starts with a question word (``Explain ...``, ``如何 ...``), whatever its length."""
    stripped = text.lstrip()
    if stripped.lower().startswith(QUESTION_STARTS):
        return True
    # only markup, a label or a symbol in front can hide the word ("[E] Why", "**Q1:** How", "🔥 What")
    return bool(stripped) and not stripped[0].isalnum() and syntax.clean_front(stripped).lower().startswith(
        QUESTION_STARTS)


def asks(text: str) -> bool:
    """A line that is a question whatever its length: it ends in a question mark (inside
    bold or italics too: ``### 12. **为什么...？**``, ``\\*\\*What is X?\\*\\*``)."""
    return syntax.clean_front(text).rstrip().rstrip("*_\\ ").endswith(QUESTION_ENDS)
