"""Find the parts of a scraped article that are not the article: link lines, sidebars, forms, widgets.

Works line by line on the original text and returns exact character spans, so
the text itself is never changed. What counts as boilerplate:

* "read also" link lines (اقرأ أيضاً: ..., Read more: ...);
* a trailing block that starts at a sidebar, newsletter or comment-form
  header (قد تحب أيضا، مقالات ذات صلة، منشورات شائعة، النشرة الإخبارية،
  اترك تعليقاً، Related posts...) and runs to the end of the text;
* navigation headers (أخر الأخبار), "back to top" (زر الذهاب إلى الأعلى),
  share/follow widgets, copyright and tag lines, "error:" lines, lines with
  no letters or digits ("-"), a line repeating the line above it;
* an author blurb near the end: a short name line then a bio line that
  starts with كاتب / صحفي / journalist...;
* bare URL lines, and URLs inside other lines (as sub-line spans).

Lines are classified on their search view (:func:`assistant.text.arabic.search_view`:
no diacritics or tatweel, unified alef/yeh/teh marbuta, lower case), so
"اقرأ أيضاً", "إقرأ أيضا" and "اقرا ايضا" are one phrase.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.text.arabic import normalize, search_view
from assistant.text.spans import Line, split_lines
from assistant.types import Span

__all__ = ["find_boilerplate", "merge_spans"]


# --- phrase lists (on the search view: normalised, lower-cased) -------------

def _alt(phrases: Iterable[str]) -> str:
    """Regex alternation of phrases (normalised like keys), longest first, spaces matching any whitespace."""
    ordered = sorted({normalize(p).strip() for p in phrases}, key=len, reverse=True)
    return "|".join(r"\s+".join(map(re.escape, p.split())) for p in ordered)


# A line that starts like this is a link to another article.
_READ_ALSO_RE = re.compile(
    r"^(?:(?:اقرا|اقراي|طالع|شاهد|تابع)\s+(?:ايضا|كذلك|المزيد)"
    r"|(?:read|see)\s+(?:also|more)|also\s+read|related\s*:|more\s*:)(?![^\W\d_])"
)

# Headers that open a trailing sidebar / newsletter / comment block. Several
# words: the line must start with one; one word ("التعليقات", "comments"): the
# line must be just that word (a count like "(3)" allowed), since body lines
# start with such words too.
_BLOCK_PHRASES = [
    "قد تحب ايضا", "قد يعجبك ايضا", "قد يهمك ايضا", "ربما يعجبك ايضا", "ربما يهمك ايضا",
    "مقالات ذات صله", "اخبار ذات صله", "مواضيع ذات صله", "منشورات ذات صله", "تقارير ذات صله",
    "مقالات مشابهه", "اخبار مشابهه", "مقالات قد تهمك", "اخبار قد تهمك", "اخترنا لك",
    "المزيد من الاخبار", "المزيد من المقالات", "منشورات شائعه", "المقالات الشائعه",
    "الاكثر قراءه", "الاكثر مشاهده", "الاكثر تداولا", "الاكثر شعبيه",
    "النشره الاخباريه", "النشره البريديه", "القائمه البريديه", "اشترك في قائمتنا",
    "اشترك في النشره", "اشترك في نشرتنا", "اشترك الان", "اترك تعليقا", "اترك ردا", "اترك رد",
    "اضف تعليقا", "اضف تعليق", "لن يتم نشر عنوان بريدك",
    "related posts", "related articles", "related stories", "related news", "read next",
    "you may also like", "you might also like", "more stories", "popular posts",
    "most popular", "most read", "trending now", "sign up for our", "leave a reply",
    "leave a comment", "your email address will not be published",
]
_BLOCK_WORDS = ["التعليقات", "تعليقات", "comments", "newsletter", "subscribe", "related", "اشترك"]
_BLOCK_RE = re.compile(
    rf"^(?:(?:{_alt(_BLOCK_PHRASES)})(?![^\W\d_])|(?:{_alt(_BLOCK_WORDS)})(?:\s*\(?\d*\)?)$)"
)
_BLOCK_MAX_WORDS = 8

# Whole-line navigation and widget labels.
_NAV_LINES = [
    "اخر الاخبار", "احدث الاخبار", "اخبار عاجله", "عاجل", "الرئيسيه", "الصفحه الرئيسيه",
    "القائمه", "بحث", "ابحث", "تسجيل الدخول", "اتصل بنا", "من نحن", "سياسه الخصوصيه",
    "latest news", "breaking news", "home", "menu", "search", "log in", "login", "sign in",
    "contact us", "about us", "privacy policy", "skip to content", "advertisement",
    "اعلان", "اعلانات", "المحتوى الممول",
]
_NAV_RE = re.compile(rf"^(?:{_alt(_NAV_LINES)})$")

_BACK_TO_TOP = ["زر الذهاب إلى الأعلى", "الذهاب إلى الأعلى", "العودة إلى الأعلى", "إلى الأعلى", "للأعلى",
                "back to top", "scroll to top", "go to top"]
_BACK_TO_TOP_RE = re.compile(rf"^(?:{_alt(_BACK_TO_TOP)})$")

_COMMENT_FORM = ["لن يتم نشر عنوان بريدك", "الحقول الإلزامية مشار إليها", "الحقول المطلوبة", "احفظ اسمي",
                 "your email address will not be published", "required fields are marked", "save my name",
                 "post comment", "إرسال التعليق", "نشر التعليق"]
_COMMENT_FORM_RE = re.compile(rf"^(?:{_alt(_COMMENT_FORM)})")

_ERROR_RE = re.compile(r"^(?:error|warning|notice|fatal error|parse error|خطا)(?:\s*:|$)")
_ERROR_MAX_WORDS = 12

_FOOTER = ["جميع الحقوق محفوظة", "كل الحقوق محفوظة", "حقوق النشر", "all rights reserved", "powered by"]
_FOOTER_RE = re.compile(rf"^(?:©|\(c\)\s|copyright\b|(?:{_alt(_FOOTER)}))")
_FOOTER_MAX_WORDS = 15
_TAGS = ["الوسوم", "وسوم", "كلمات مفتاحية", "الكلمات المفتاحية", "كلمات دلالية", "tags", "tagged", "filed under"]
_TAGS_RE = re.compile(rf"^(?:{_alt(_TAGS)})(?:\s*:|$)")

# Share / follow widgets: a line that is a share/follow word, then at most
# social-network names and a few filler words ("تابعونا على فيسبوك").
_SHARE_RE = re.compile(
    rf"^(?:{_alt(['شارك', 'شاركها', 'مشاركه', 'share', 'تابعنا', 'تابعونا', 'تابعوا', 'follow us', 'follow'])})(?![^\W\d_])"
)
_SOCIAL_WORDS = frozenset(
    normalize(
        "facebook twitter x whatsapp telegram linkedin pinterest reddit tumblr vk messenger email "
        "print copy link instagram youtube tiktok snapchat فيسبوك فيس بوك تويتر اكس واتساب واتس اب "
        "تلغرام تيليجرام تليجرام لينكدان لينكد ان انستغرام انستجرام يوتيوب تيك توك سناب شات طباعة "
        "البريد الإلكتروني نسخ الرابط ماسنجر"
    ).split()
)
_SHARE_FILLER = frozenset(
    normalize(
        "على عبر هذا هذه المقال الخبر مع أصدقائك صفحتنا قناتنا حسابنا حساباتنا منصات التواصل "
        "الاجتماعي this on via article post story us with friends our page channel"
    ).split()
)

# A bio line of an author blurb starts with one of these.
_BIO_RE = re.compile(
    r"^(?:كاتب|كاتبه|صحفي|صحفيه|صحافي|صحافيه|محرر|محرره|مراسل|مراسله|باحث|باحثه|اعلامي|اعلاميه"
    r"|مدون|مدونه|محلل|محلله|ناشط|ناشطه|journalist|writer|editor|reporter|author|correspondent"
    r"|columnist|freelance)(?![^\W\d_])"
)
_NAME_RE = re.compile(r"^[^\W\d_]+(?:[ .'\-]+[^\W\d_]+){0,3}\.?$")
_NAME_MAX_CHARS = 40
_BIO_MAX_WORDS = 60

_URL_LINE_RE = re.compile(r"^[<(\[]?(?:https?://|www\.)\S+$")
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"'«»“”]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?،؛)]}'\""

_NO_TEXT_RE = re.compile(r"^[\W_]+$")  # no letter or digit at all: "-", "***", "|"

_TRAILING_FRACTION = 0.5  # a block header in the last half of the text opens a trailing block
_SHORT_LINE_WORDS = 12  # ... or one anywhere, when only short lines follow it


def _key(line: str) -> str:
    """A line's classification key: its search view, outer bullets and punctuation stripped."""
    key = search_view(line).strip()
    key = re.sub(r"^[\s\-–—•*·»>|#]+", "", key)
    return re.sub(r"[\s:：\-–—.…!|]+$", "", key)


def _is_share_widget(key: str) -> bool:
    """A line of social-network names, or a share/follow word followed by such names."""
    m = _SHARE_RE.match(key)
    words = re.findall(r"[^\W\d_]+", key[m.end() :] if m else key)
    if not words:
        return m is not None
    social = [w for w in words if w in _SOCIAL_WORDS]
    return bool(social) and all(w in _SOCIAL_WORDS or w in _SHARE_FILLER for w in words)


def _is_line_boilerplate(key: str, raw: str) -> bool:
    """Whether one line, on its own, is boilerplate."""
    if not key:
        return bool(raw.strip()) and _NO_TEXT_RE.match(raw.strip()) is not None
    words = len(key.split())
    if _NO_TEXT_RE.match(key) or _URL_LINE_RE.match(key):
        return True
    if _READ_ALSO_RE.match(key) or _NAV_RE.match(key) or _BACK_TO_TOP_RE.match(key):
        return True
    if _COMMENT_FORM_RE.match(key) or _TAGS_RE.match(key) or _is_share_widget(key):
        return True
    if _BLOCK_RE.match(key) and words <= _BLOCK_MAX_WORDS:
        return True
    if _ERROR_RE.match(key) and words <= _ERROR_MAX_WORDS:
        return True
    return bool(_FOOTER_RE.match(key) and words <= _FOOTER_MAX_WORDS)


def _url_spans(line: Line) -> list[Span]:
    spans = []
    for m in _URL_RE.finditer(line.text):
        url = m.group(0)
        while url and url[-1] in _URL_TRAILING and not (url[-1] == ")" and "(" in url):
            url = url[:-1]
        if len(url) > len("www."):
            spans.append(Span(line.start + m.start(), line.start + m.start() + len(url)))
    return spans


def merge_spans(spans: list[Span], text: str) -> tuple[Span, ...]:
    """Sort and merge spans that overlap or are separated only by whitespace."""
    merged: list[Span] = []
    for sp in sorted(spans, key=lambda s: (s.start, s.end)):
        if merged and (sp.start <= merged[-1].end or not text[merged[-1].end : sp.start].strip()):
            last = merged.pop()
            sp = Span(last.start, max(last.end, sp.end))
        merged.append(sp)
    return tuple(merged)


def find_boilerplate(text: str) -> tuple[Span, ...]:
    """Spans of ``text`` that are navigation, links, sidebars, forms or widgets: sorted, non-overlapping.

    Whole boilerplate lines are covered from their first to their last
    character (line endings between adjacent boilerplate lines included);
    URLs inside article lines are covered on their own.
    """
    lines = [ln for ln in split_lines(text) if ln.text.strip()]
    if not lines:
        return ()
    keys = [_key(ln.text) for ln in lines]
    total = len(text)
    flagged = [_is_line_boilerplate(k, ln.text) for k, ln in zip(keys, lines, strict=True)]

    # A line repeating the line just above it (a scraped title twice...).
    for i in range(1, len(lines)):
        if keys[i] and keys[i] == keys[i - 1] and len(keys[i].split()) >= 2:
            flagged[i] = True

    # Author blurb near the end: a short name line, then a bio line.
    for i in range(len(lines) - 1):
        name, bio = lines[i].text.strip(), keys[i + 1]
        if (
            lines[i].start >= total * _TRAILING_FRACTION
            and len(name) <= _NAME_MAX_CHARS
            and _NAME_RE.match(name)
            and _BIO_RE.match(bio)
            and len(bio.split()) <= _BIO_MAX_WORDS
        ):
            flagged[i] = flagged[i + 1] = True

    # Trailing block: from the first sidebar/comment header that sits in the
    # last part of the text, or is followed only by short lines, to the end.
    for i, key in enumerate(keys):
        if not ((_BLOCK_RE.match(key) or _COMMENT_FORM_RE.match(key)) and len(key.split()) <= _BLOCK_MAX_WORDS):
            continue
        rest_short = all(len(k.split()) <= _SHORT_LINE_WORDS for k in keys[i + 1 :])
        if lines[i].start >= total * _TRAILING_FRACTION or rest_short:
            for j in range(i, len(lines)):
                flagged[j] = True
            break

    spans = [Span(ln.start, ln.end) for ln, f in zip(lines, flagged, strict=True) if f]
    for ln, f in zip(lines, flagged, strict=True):
        if not f:
            spans.extend(_url_spans(ln))
    return merge_spans(spans, text)
