"""Page furniture: the parts of a notes page that are about the page, never cards.

Tables of contents, reference and resource lists, contributor and credit lines, sponsor
blocks, a banner's blurb about the page, a chat assistant's sign-off, TODO checklists, badge and image banners, link-only lines,
"More reading: [link](url)" lines under an answer.
"""

from __future__ import annotations

import re

from studyapp.notes.syntax import strip_symbols

FURNITURE_HEADINGS = {
    "contents", "table of contents", "toc", "index", "目录", "目錄", "索引",
    "references", "reference", "参考资料", "参考", "参考文献", "参考链接", "引用", "参考资源",
    "resources", "resource", "资源", "学习资源", "相关资源", "links", "useful links", "相关链接", "链接",
    "further reading", "see also", "reading list", "延伸阅读", "扩展阅读", "推荐阅读",
    "contributors", "contributing", "contribution", "contributions", "contribute", "贡献者", "贡献", "致谢", "鸣谢", "感谢",
    "acknowledgements", "acknowledgments", "acknowledgement", "credits", "thanks", "authors", "作者",
    "sponsors", "sponsor", "sponsorship", "support", "support us", "赞助", "赞助商", "支持", "打赏",
    "license", "licence", "许可", "许可证", "版权", "copyright", "todo", "to do", "待办", "changelog", "更新日志",
    "star history", "stargazers", "disclaimer", "免责声明", "about", "关于", "关于作者", "contact", "联系",
    "联系方式", "交流群", "公众号",
}
_TOC_MARKER = re.compile(r"^\s*(?:\[\[?toc\]?\]|\$\{toc\}|\[\[_toc_\]\]|<!--\s*toc\s*-->)\s*$", re.I)
_CHECKLIST = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?\[[ xX]\]\s")
_CREDIT = re.compile(
    r"^\s*(?:>\s*)?(?:contributed by|maintained by|created by|written by|compiled by|translated by|author|authors|"
    r"credits?|作者|贡献者|译者|整理|编者|原作者|转载自?|来源|本文作者|if you (?:like|find)|please (?:give|star)|"
    r"give (?:us |it |this )?a star|star (?:this|the) repo)(?![A-Za-z])", re.I)
_SPONSOR = re.compile(r"\b(?:sponsor(?:ed)?|patreon|buy me a coffee|ko-fi|open ?collective|follow me)\b|赞助|打赏|"
                      r"\bgiv(?:e|ing)\b[^.!?\n]{0,40}?\ba\s*(?:⭐|🌟|star\b)|\bstar (?:this|the|our) repo", re.I)
_ABOUT_PAGE = re.compile(  # a banner's blurb about the page itself
    r"^\s*(?:this (?:file|repo(?:sitory)?|page|document|list|collection|guide|post|article|cheat ?sheet)\s+"
    r"(?:is|has|contains|demonstrates|covers|collects|lists|gives|provides)\b|"
    r"here (?:are|is) (?:\*\*)?(?:\d+|some|a (?:list|collection|set))\b|welcome to (?:the|this|my)\b|"
    r"an? (?:curated |growing )?(?:collection|list|set) of (?:[\w-]+ ){0,5}(?:questions|notes|answers|flashcards)\b|"
    r"(?:these|this series of) (?:[\w-]+ ){0,4}questions (?:test|cover|are|ask|deal|attempt|try)\w*\b|"
    r"本文(?:总结|整理|收集|记录|汇总)|本仓库|本项目(?:收集|整理)|以下是)", re.I)
_SIGN_OFF = re.compile(r"\b(?:just let me know|let me know if you|would you like (?:me to|code|more|a))\b", re.I)
_RESOURCES_HEADING = re.compile(r"^(?:[\w-]+ ){0,2}(?:resources|reading|books|courses|links)$")  # "Preparation Resources"
# "Popular open data repositories", "Meta portals (they list ...)", "Tips to ace the interview":
# lists of places to look and advice to the reader, unless the heading asks about them
_PLACES_OR_TIPS_HEADING = re.compile(r"\b(?:repositories|portals)\b|\btips\b.*\binterviews?\b|\binterview tips\b")
_FURTHER_READING = re.compile(  # "_More reading: [Bias-variance tradeoff](url)_" under an answer
    r"^[\s>*_]*(?:more reading|further reading|read more|see also|recommended reading|延伸阅读|扩展阅读|推荐阅读)\s*[:：]\s*(.*)$",
    re.I)
_WRAPPED = re.compile(r"^[\s>*_（(【\[]+")  # a credit line in bold or brackets: **（贡献者：...）**
_LINK_OR_IMAGE = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\]){0,300}\]\([^)\n]{0,2000}\)|<img\b[^>]*>|<a\b[^>]*>.*?</a>|"
                            r"https?://\S+|\[[^\[\]]*\]\[[^\[\]]*\]", re.I)


def is_furniture_heading(title: str) -> bool:
    """A heading whose section is about the page (contents, references, credits, ...)."""
    name = strip_symbols(re.sub(r"[*_`:：#]", "", title)).strip().casefold()
    if name in FURNITURE_HEADINGS or _RESOURCES_HEADING.search(name):
        return True
    return bool(_PLACES_OR_TIPS_HEADING.search(name)) and not name.endswith(("?", "？"))


def furniture_line(text: str) -> str:
    """Why this line (or list item) is furniture, or "" when it is content."""
    stripped = text.strip()
    if not stripped:
        return ""
    marked = "[" in stripped or "<" in stripped  # contents markers, checkboxes and links need one (or "://", "${")
    if (marked or "${" in stripped) and _TOC_MARKER.match(stripped):
        return "table of contents marker"
    if marked and _CHECKLIST.match(stripped):
        return "TODO checklist"
    if _CREDIT.match(_WRAPPED.sub("", stripped)):
        return "credit line"
    if len(stripped) < 500 and _about_the_page(stripped):
        return "about the page"
    if ("know" in stripped or "ould you" in stripped) and len(stripped) < 300 and _SIGN_OFF.search(stripped):
        return "a chat assistant's sign-off"
    if len(stripped) < 200 and _SPONSOR.search(stripped):
        return "sponsor line"
    if marked or "://" in stripped:
        reading = _FURTHER_READING.match(stripped)
        if reading and is_link_only(reading.group(1).strip("_* ")):
            return "further reading link"
        if is_link_only(stripped):
            return "link or image only"
    return ""


def _about_the_page(line: str) -> bool:
    first = line[0]
    if first in "TtHhWwAa本以":
        return bool(_ABOUT_PAGE.match(line))
    # an emoji in front ("🙏 Here are ...") is stripped; any other first character decides at once
    return ord(first) > 0x2000 and not first.isalnum() and bool(_ABOUT_PAGE.match(strip_symbols(line)))


def is_link_only(text: str) -> bool:
    """Nothing but links, images or badges (and separators) on the line."""
    if not _LINK_OR_IMAGE.search(text):
        return False
    rest = _LINK_OR_IMAGE.sub("", text)
    rest = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", rest)
    return not re.sub(r"[\s|·•,，、;；:：\-–—>()（）]+", "", strip_symbols(rest))
