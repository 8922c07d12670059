"""Reported speech: is a question asking what someone said, and which sentences of an article are theirs?

:func:`statement_ask` reads "What did Peskov say in May 2021?", "ماذا قال بيسكوف
في أيار 2021؟", "هل علّق بيسكوف على ...؟" and returns the speaker asked about.
:class:`SpeakerMatch` finds that speaker in an article (across scripts: "Peskov"
is "بيسكوف"; and by the title the article itself gives the name: "المتحدث باسم
الكرملين ديمتري بيسكوف" makes "المتحدث باسم الكرملين" Peskov in that article),
and :func:`attributed` marks the sentences where the speaker speaks: a
reporting verb with the speaker as its subject ("وقال بيسكوف", "بيسكوف رفض
التعليق", "نقلت تاس عن بيسكوف تأكيده أن"), and the sentences that carry the
speaker on ("وأضاف أن ..."). The verbs are data (speech.toml), the one word
list of this stage.

The stages, one module each: the lexicon (speech.toml), the question (:mod:`.question`), the
speaker's name in an article (:mod:`.names`) and the sentences that are theirs (:mod:`.attribution`).
"""
