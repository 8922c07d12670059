"""Who said what (issue 15): statement questions, reported speech, names across scripts, grouping, scoring.

Unit tests use sentences written for them (no model); the tests marked ``models`` ask the
real pipeline over the real seeds.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from assistant.answer.statements import Said, Topic, group_statements, on_topic, periods, Statement
from assistant.eval.statements import GoldSentence, StatementQuestion, load_statement_set, score, summarise
from assistant.ingest.reader import read_text
from assistant.text.sentences import candidate_spans
from assistant.text.speech.attribution import attributed
from assistant.text.speech.names import SpeakerMatch, institution_names, words_of
from assistant.text.speech.question import StatementAsk, statement_ask
from assistant.text.spelling import name_cost, same_name
from assistant.types import DateWindow, Document, PubDate
from conftest import ROOT, SEEDS, TODAY, run_cli

SEED_SET = ROOT / "tests" / "data" / "statements_seeds.jsonl"


# --- the question ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "language", "speaker"),
    [
        ("What did Peskov say in May 2021?", "en", "Peskov"),
        ("What has Putin said about Syria?", "en", "Putin"),
        ("Did Lavrov comment on the talks?", "en", "Lavrov"),
        ("What did US Secretary of State John Kerry say about Israel?", "en", "US Secretary of State John Kerry"),
        ("How did the Kremlin's position on Assad change between 2021 and 2025?", "en", "the Kremlin"),
        ("What did the Syrian presidency say in 2025?", "en", "the Syrian presidency"),
        ("What has the Saudi Ministry of Health announced about MERS?", "en", "the Saudi Ministry of Health"),
        ("ماذا قال بيسكوف في أيار 2021؟", "ar", "بيسكوف"),
        ("هل علّق بيسكوف على طلب تسليم بشار الأسد؟", "ar", "بيسكوف"),
        ("ماذا قالت وزارة الخارجية الروسية عن الانتخابات؟", "ar", "وزارة الخارجية الروسية"),
        ("بماذا صرّح وزير الحج بندر حجار؟", "ar", "وزير الحج بندر حجار"),
        ("ما تصريحات حمودة الصباغ؟", "ar", "حمودة الصباغ"),
        ("ماذا قالت منسقة السياسة الخارجية في الاتحاد الأوروبي فيديريكا موغيريني؟", "ar",
         "منسقة السياسة الخارجية في الاتحاد الأوروبي فيديريكا موغيريني"),  # the name after the place
        ("ماذا قال وزير الخارجية في الرياض أمس؟", "ar", "وزير الخارجية"),
        ("ماذا قال المرشد الأعلى الإيراني علي خامنئي؟", "ar", "المرشد الأعلى الإيراني علي خامنئي"),  # "علي", not "على"
        ("هل علّق بيسكوف على طلب التسليم؟", "ar", "بيسكوف"),
        ("What did the Saudi ambassador to Lebanon, Ali Awad Asiri, say?", "en", "Saudi ambassador to Lebanon, Ali Awad Asiri,"),
        ("ماذا قال وزير الخارجية في مؤتمر صحفي؟", "ar", "وزير الخارجية"),
        ("ماذا قال مدير الكرة في نادي الهلال فهد المفرج؟", "ar", "مدير الكرة في نادي الهلال فهد المفرج"),  # a place owned
        ("ما تصريحات الكوري الجنوبي تشونغ مونغ جون المرشح لرئاسة فيفا؟", "ar", "الكوري الجنوبي تشونغ مونغ جون"),  # a description after
        ("ماذا قال وزير الخارجية في مؤتمر الطاقة بجدة؟", "ar", "وزير الخارجية"),  # a place, then another: no name
        ("هل علّقت وزارة الخارجية الإسرائيلية على وصف الاتحاد الأوروبي لسياستها بالترانسفير؟", "ar", "وزارة الخارجية الإسرائيلية"),
    ],
)
def test_a_statement_question_names_its_speaker(question: str, language: str, speaker: str) -> None:
    ask = statement_ask(question, language)
    assert ask is not None and ask.speaker == speaker


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("What percentage of the vote did Bashar al-Assad win?", "en"),
        ("Who joined Putin and Assad later in their meeting in Moscow?", "en"),
        ("What did the government say?", "en"),  # an institution, but whose?
        ("كم صوتاً حصل عليه المرشح محمود مرعي؟", "ar"),
        ("ماذا تعتبر مدينة دمشق بالنسبة لسوريا؟", "ar"),  # the present asks what something is
        ("ماذا تقول النظرية النسبية؟", "ar"),
        ("هل تم ذكر الكتاب في المقال؟", "ar"),  # a passive, not a speaker
        ("ما هو وزن ذكر الأسد؟", "ar"),  # a noun after "ما هو"
        ("ما هي عاصمة جورجيا؟", "ar"),
    ],
)
def test_other_questions_are_not_statement_questions(question: str, language: str) -> None:
    assert statement_ask(question, language) is None


def test_a_speaker_is_never_shortened_to_a_bare_title() -> None:
    ask = statement_ask("ماذا قال رئيس وزراء كندا عن الانتخابات الأمريكية؟", "ar")
    assert ask is not None and ask.speaker == "رئيس وزراء كندا" and ask.shorter() is None
    kremlin = statement_ask("ماذا قال الكرملين المحادثة؟", "ar")
    assert kremlin is not None and kremlin.shorter() == StatementAsk("الكرملين", kremlin.verb, "المحادثة ؟")


def test_the_topic_is_what_follows_the_speaker() -> None:
    ask = statement_ask("هل علّق بيسكوف على طلب تسليم بشار الأسد؟", "ar")
    assert ask is not None and "تسليم" in ask.topic
    topic = Topic.of(ask, None, "ar")
    assert topic.matches("رفض التعليق على ما إذا كان طلب التسليم قد طُرح")
    assert not topic.matches("قال إنه لا توجد خطط لعقد اجتماع")


# --- names across scripts ---------------------------------------------------------


def test_a_latin_full_name_stands_whole_across_a_fathers_name() -> None:
    # "Walid Al-Jalal" is written "وليد بن علي الجلال": the father's name between is still his full name
    said = "وأوضح مدير مكتب الحملة في لبنان وليد بن علي الجلال أن البرنامج يغطي ألف ولادة."
    match = SpeakerMatch.of("Walid Al-Jalal").spelled(["الجلال", "جلال", "جلالة"])
    assert match.named_in(words_of(said))
    assert not match.named_in(words_of("وأوضح رئيس الجلسة خالد الجلال أن البرنامج مستمر."))


def test_a_body_is_known_by_the_word_after_lil_in_its_name() -> None:
    # "الرئاسة العامة للأرصاد وحماية البيئة" is "الأرصاد" in the same article; "المديرية العامة للدفاع المدني" "الدفاع المدني"
    body = "الرئاسة العامة للأرصاد وحماية البيئة"
    full = "وتوقعت الرئاسة العامة للأرصاد وحماية البيئة في تقريرها طقسا شديد الحرارة."
    short = "كما توقعت الأرصاد نشاطا للرياح السطحية على الشمال."
    cited = "وأورد التقرير أن حركة الرياح ستكون جنوبية غربية."
    assert _said("\n".join([full, short, cited]), body) == [full, short, cited]
    assert _said(short, body) == []  # the short name counts only where the full one is written
    assert ("دفاع", "مدني") in SpeakerMatch.of("المديرية العامة للدفاع المدني").exonyms
    assert ("امم", "متحده") not in SpeakerMatch.of("المفوضية السامية للأمم المتحدة لشؤون اللاجئين").exonyms  # the UN's body


def test_a_group_named_by_a_common_word_is_found_only_after_its_head_noun() -> None:
    # "the militant group al-Shabaab": الشباب is also "the youth" and a club; the press writes حركة الشباب
    group = "Somali militant group al-Shabaab"
    said = "وأعلنت حركة الشباب مسؤوليتها عن الهجوم على الفندق."
    assert _said(said, group) == [said]
    assert _said("وطالب الإمام الشباب بالتمسك بالقيم، وأكد الشباب أنهم مستعدون.", group) == []
    assert _said("وأصدر نادي الشباب بيانا رسميا ينفي فيه الأخبار، وجاء فيه أن العقود سارية.", group) == []


def test_an_english_institution_is_looked_for_by_its_arabic_names() -> None:
    presidency = SpeakerMatch.of("the Syrian presidency")
    text = "من جانبها، أصدرت الرئاسة السورية بياناً أفادت فيه بأن اللقاء كان مثمراً."
    assert _said(text, "the Syrian presidency") == [text]
    assert _said("وقالت الرئاسة الروسية إن اللقاء كان مثمراً.", "the Syrian presidency") == []
    assert presidency.phrase == ("رئاسه", "سوريه")
    ministry = SpeakerMatch.of("Saudi foreign ministry")
    assert ("خارجيه", "سعوديه") in ministry.exonyms
    assert _said("وأكدت وزارة الخارجية السعودية أن المملكة ترحب بالاتفاق.", "the Saudi Ministry of Foreign Affairs")
    body = "وأكدت منظمة التعاون الإسلامي رفضها لهذه التصريحات."  # an international body: no nationality needed
    assert statement_ask("Did the Organisation of Islamic Cooperation comment on the remarks?", "en") is not None
    assert _said(body, "the Organisation of Islamic Cooperation") == [body]


def test_an_english_name_is_the_comma_part_that_holds_a_full_name() -> None:
    assert statement_ask("What did the Saudi ambassador to Lebanon, Ali Awad Asiri, say?", "en").match.latin == ("ali", "awad", "asiri")
    assert statement_ask("What did Maher Al-Hadrawi, executive director of the centre, say?", "en").match.latin == ("maher", "hadrawi")
    unhcr = statement_ask("What has the UN refugee agency UNHCR said?", "en")
    assert unhcr is not None and unhcr.match.latin == ()
    said = "وقالت مفوضية الأمم المتحدة لشؤون اللاجئين إن عدد اللاجئين تجاوز أربعة ملايين."
    assert _said(said, "the UN refugee agency UNHCR") == [said]
    white_house = statement_ask("What has the White House said?", "en")
    assert white_house is not None and white_house.match.latin == () and ("بيت", "ابيض") in (white_house.match.phrase, *white_house.match.exonyms)


def test_a_speaker_named_twice_with_a_parenthesis_is_looked_for_by_either_name() -> None:
    """"the US Department of Defense (the Pentagon)": the name outside the parenthesis, else the one inside."""
    ask = statement_ask("What has the US Department of Defense (the Pentagon) said?", "en")
    assert ask is not None and "(" not in ask.speaker
    said = "وقالت وزارة الدفاع الأمريكية إن الغارات استهدفت مواقع التنظيم."
    assert _said(said, ask.speaker) == [said]
    inside = statement_ask("What did the ministry's spokesman (Ahmed Asiri) say?", "en")
    assert inside is not None and inside.match.latin == ("ahmed", "asiri")


def test_a_name_the_article_writes_in_apposition_is_the_speakers_other_name() -> None:
    # "الرئاسة الروسية “الكرملين”", "الكرملين (الرئاسة الروسية)": the article says the two are one
    before = "أعلنت الرئاسة الروسية “الكرملين” أن الرئيس سيزور المنطقة. وقالت الرئاسة الروسية إن الزيارة ستتم قريبا."
    assert len(_said(before, "الكرملين")) == 2
    after = "وقال الكرملين (الرئاسة الروسية) إن الزيارة مهمة. وأكدت الرئاسة الروسية أن موعدها لم يحدد."
    assert len(_said(after, "الكرملين")) == 2
    # without the apposition, or with a quoted name that is not in apposition, the other body is not the speaker
    assert len(_said("قال الكرملين إن الزيارة مهمة. وقالت الرئاسة الروسية إن موعدها لم يحدد.", "الكرملين")) == 1
    said = _said("وقالت الرئاسة الروسية إن “الكرملين” يرحب بالزيارة. وأكدت الرئاسة الروسية أن موعدها لم يحدد.", "الكرملين")
    assert len(said) <= 1 and not any(s.startswith("وأكدت") for s in said)


def test_an_institutions_bare_noun_counts_only_where_its_full_name_is_written() -> None:
    university = "وأعلنت الجامعة فتح باب القبول في تخصصات اللغة العربية.\nوبينت الجامعة أن التعيين سيكون لجميع التخصصات."
    assert _said(university, "the Arab League") == []  # "الجامعة" there is a university
    league = "دانت جامعة الدول العربية الاقتحام.\nوأكدت الجامعة أن الاحتلال يتحمل المسؤولية."
    assert _said(league, "the Arab League") == league.split("\n")


def test_an_institution_written_in_capitals_is_no_persons_name() -> None:
    imf = statement_ask("What has the International Monetary Fund said about Greece?", "en")
    assert imf is not None and imf.match.latin == () and imf.match.phrase == ("صندوق", "نقد", "دولي")
    body = "وقال صندوق النقد الدولي إن اليونان تحتاج إلى تخفيف ديونها."
    assert _said(body, "the International Monetary Fund") == [body]
    assert statement_ask("What did Egyptian Foreign Minister Sameh Shoukry say?", "en").match.latin == ("sameh", "shoukry")


@pytest.mark.parametrize(("latin", "arabic"), [("Peskov", "بيسكوف"), ("Putin", "بوتين"), ("Fabius", "فابيوس"), ("Kerry", "كيري"),
                                               ("Lavrov", "لافروف"), ("Erdogan", "أردوغان"), ("Persie", "بيرسي"),
                                               ("Basalama", "باسلمة"),  # two unwritten short vowels and a final ة
                                               ("OPEC", "أوبك"), ("Obama", "أوباما")])  # the alif carrying an initial vowel
def test_a_name_matches_its_arabic_spelling(latin: str, arabic: str) -> None:
    assert same_name(latin, arabic)


@pytest.mark.parametrize(("latin", "arabic"), [("Steinmeier", "شتاينماير"),  # German: initial st is sht, ei is ai
                                               ("Walter", "فالتر"), ("Walter", "والتر"),  # German w is v; English w is و
                                               ("Francois", "فرانسوا"), ("Benoit", "بنوا"),  # French: c before e, i and ois is s; oi is wa
                                               ("Schmidt", "شميدت"),  # German sch is sh
                                               ("Benjamin", "بنيامين"), ("Jan", "يان"),  # j read as y (Hebrew, German, Slavic)
                                               ("Zarif", "ظريف"), ("Javad", "جواد"),  # Persian: z is ظ, v is و
                                               ("Ibrahimovic", "إبراهيموفيتش"), ("Djokovic", "ديوكوفيتش"),  # Slavic -ić is -itch
                                               ("Cazeneuve", "كازنوف"), ("Bernard", "برنار")])  # French: eu, a final e, d after r
def test_a_name_matches_the_arabic_spelling_of_its_own_language(latin: str, arabic: str) -> None:
    """Arabic writes a European name as it sounds in its own language, not as English reads its letters."""
    assert same_name(latin, arabic), name_cost(latin, arabic)
    assert name_cost(latin, arabic) <= 1.0  # also close enough as a given name beside the last name


def test_a_hyphenated_given_name_is_two_names() -> None:
    """"Frank-Walter Steinmeier": Arabic writes "فرانك فالتر شتاينماير", the given name beside the last name is "Walter"."""
    assert SpeakerMatch.of("German Foreign Minister Frank-Walter Steinmeier").latin == ("frank", "walter", "steinmeier")
    body = "وقال وزير الخارجية الألماني فرانك فالتر شتاينماير إن الاتفاق تاريخي."
    assert _said(body, "German Foreign Minister Frank-Walter Steinmeier") == [body]


@pytest.mark.parametrize(("latin", "arabic"), [("Putin", "بحث"), ("Putin", "بيت"), ("Peskov", "بصرف"), ("Persie", "ابرز"),
                                               ("Carter", "سارتر")])  # c before a is k in every language
def test_a_name_does_not_match_a_word_with_the_same_consonants(latin: str, arabic: str) -> None:
    """The consonant skeleton alone matched all of these; the vowels tell them apart."""
    assert not same_name(latin, arabic), name_cost(latin, arabic)


def test_a_name_after_lil_is_read_without_it() -> None:
    # "للبنك الدولي" is ل + "البنك الدولي", the article's alif dropped: "تقرير للبنك الدولي" is the bank's report
    report = "ذكر تقرير للبنك الدولي أن أسعار السلع ستظل ضعيفة خلال العام الحالي."
    bank = "وذكر البنك أن أسعار الطاقة ارتفعت في الربع الثاني."
    assert _said("\n".join([report, bank]), "البنك الدولي") == [report, bank]
    assert _said("وقدم الوزير الشكر للبنك الدولي على دعمه.", "البنك الدولي") == []  # thanked: addressed, not speaking


def test_a_chain_that_ends_in_another_family_name_is_someone_else() -> None:
    # "خالد بن محمد العطية" asked; "خالد بن محمد اليوسف" is another man sharing the given and father's names
    asked = "وزير الخارجية القطري الدكتور خالد بن محمد العطية"
    other = "وأوضح رئيس ديوان المظالم الشيخ الدكتور خالد بن محمد اليوسف أن الأمر الملكي تضمن ترقية القضاة."
    assert _said(other, asked) == []
    own = "وأكد وزير الخارجية القطري الدكتور خالد بن محمد العطية أن العلاقات متينة."
    assert _said(own, asked) == [own]


def test_a_title_after_the_name_in_the_question_is_a_title() -> None:
    # "سعد الثويني مدير إدارة الإعلام بأمانة منطقة حائل": the name, then his title (not a name ending in حائل)
    asked = SpeakerMatch.of("سعد الثويني مدير إدارة الإعلام بأمانة منطقة حائل")
    assert (asked.given, asked.surname) == ("سعد", "ثويني")
    other = "وأشار أمير منطقة حائل إلى أن الموقع الاستراتيجي للمملكة مهم."
    own = "وأوضح مدير إدارة الإعلام بأمانة منطقة حائل سعد الثويني أن الأمانة أزالت المخالفات."
    assert _said("\n".join([other, own]), "سعد الثويني مدير إدارة الإعلام بأمانة منطقة حائل") == [own]
    ranked = SpeakerMatch.of("الرائد بدر السحيباني المتحدث الإعلامي لشرطة منطقة القصيم")
    assert (ranked.given, ranked.surname) == ("بدر", "سحيباني")
    official = SpeakerMatch.of("سعيد مموزيني مسؤول إعلام الفرع الرابع عشر للحزب الديمقراطي الكردستاني")
    assert (official.given, official.surname) == ("سعيد", "مموزيني")  # "an official of": his title
    spokesman = SpeakerMatch.of("الدكتور محمد الثبيتي متحدث جامعة تبوك")  # "متحدث" without the article is a title too
    assert (spokesman.given, spokesman.surname) == ("محمد", "ثبيتي")
    imam = SpeakerMatch.of("إمام وخطيب المسجد الحرام الشيخ عبدالرحمن السديس")  # a title, then the name
    assert (imam.given, imam.surname) == ("عبدالرحمن", "سديس")


def test_ali_written_with_ya_is_a_given_name_not_the_preposition() -> None:
    # "علي" and "على" are one word once normalised; in a speaker's name the spelling with ي is the name Ali
    ali = SpeakerMatch.of("محافظ المؤسسة العامة للتدريب الدكتور علي الغفيص")
    assert (ali.given, ali.surname) == ("علي", "غفيص")
    said = "وأوضح محافظ المؤسسة العامة للتدريب الدكتور علي بن ناصر الغفيص أن الميزانية ستساعد على استكمال المشاريع."
    assert _said(said, "محافظ المؤسسة العامة للتدريب الدكتور علي الغفيص") == [said]
    assert _said("وأوضح الدكتور علي الغفيص أن الميزانية ستساعد على استكمال المشاريع.", "الدكتور علي الغفيص")
    assert SpeakerMatch.of("المشرف العام على مركز الملك سلمان للإغاثة عبدالله الربيعة").given == "عبدالله"
    assert SpeakerMatch.of("رئيس نادي النصر سلمان المالك").surname == "مالك"  # a title, the body it heads, a name
    assert SpeakerMatch.of("رئيس هيئة الهلال الأحمر السعودي").surname is None  # a title and its body: no name


def test_a_family_or_fathers_name_is_matched_whole_and_the_given_name_is_the_one_before() -> None:
    prince = "رئيس نادي النصر الأمير فيصل بن تركي"
    assert _said("قال الشاعر تركي المشيقح إن الأمسية ناجحة، وحضرها فيصل.", prince) == []  # "تركي" alone: another man
    said = "وقال الأمير فيصل بن تركي إن الصفقة اكتملت."
    assert _said(said, prince) == [said]
    mufti = SpeakerMatch.of("مفتي عام المملكة الشيخ عبدالعزيز آل الشيخ")
    assert mufti.surname is None and mufti.given == "عبدالعزيز"  # "الشيخ" alone is a form of address
    assert SpeakerMatch.of("مدير المرصد السوري لحقوق الإنسان رامي عبدالرحمن").given == "رامي"
    assert SpeakerMatch.of("وزير الداخلية البحريني الشيخ راشد بن عبدالله آل خليفة").given == "راشد"


def test_a_chain_of_fathers_names_is_known_by_its_first_link() -> None:
    emir = "أمير منطقة عسير الأمير فيصل بن خالد بن عبدالعزيز"
    other = "وأكد خادم الحرمين الشريفين الملك سلمان بن عبدالعزيز أن الأمير فيصل حاضر."
    assert _said(other, emir) == []  # "بن عبدالعزيز" is every grandson of the founder
    said = "وأكد الأمير فيصل بن خالد أن المهرجان نجح."
    assert _said(said, emir) == [said]
    envoy = "المبعوث الأممي إلى اليمن إسماعيل ولد الشيخ أحمد"
    assert _said("وقال وزير الخارجية أحمد بن دغر إن إسماعيل وصل.", envoy) == []  # "أحمد" alone: another man
    said = "وقال إسماعيل ولد الشيخ أحمد إن المحادثات مستمرة."
    assert _said(said, envoy) == [said]


def test_a_fathers_name_counts_only_after_the_given_name_and_allah_is_no_last_name() -> None:
    emir = "أمير المنطقة الشرقية الأمير سعود بن نايف"
    brother = "وأكد ولي العهد الأمير محمد بن نايف أن الأمن مستتب، بحضور الأمير سعود."
    assert _said(brother, emir) == []  # "بن نايف" alone is his brother's name too
    said = "وأكد الأمير سعود بن نايف أن المشروع يخدم المنطقة."
    assert _said(said, emir) == [said]
    leader = "الأمين العام لحزب الله حسن نصر الله"
    assert _said("وقال الخطيب إن الله غفور رحيم، وذكر حسن.", leader) == []  # "الله" is nobody's last name
    said = "وقال حسن نصر الله إن الحزب لن يتراجع."
    assert _said(said, leader) == [said]


def test_a_last_name_the_article_titles_otherwise_is_another_persons() -> None:
    pm = "رئيس الوزراء التركي أحمد داود أوغلو"
    ours = "وقال رئيس الوزراء التركي أحمد داود أوغلو إن العمليات ستستمر."
    theirs = "ومن جانبه، أكد وزير الخارجية التركي مولود جاويش أوغلو أن المناطق آمنة."
    assert _said("\n".join([ours, theirs]), pm) == [ours]
    honoured = "أوضح معالي وزير الحج الدكتور بندر بن محمد حجار أن الاستعدادات اكتملت."  # a rank before the title
    assert _said(honoured, "وزير الحج بندر حجار") == [honoured]


def test_in_an_article_that_writes_the_whole_name_only_its_spelling_of_the_last_name_counts() -> None:
    from assistant.text.sentences import candidate_spans as spans
    from assistant.text.speech.names import words_of

    jubeir = SpeakerMatch.of("Adel al-Jubeir").spelled(["الجبير", "كبير", "عادل"])
    assert jubeir.spellings == frozenset({"الجبير", "كبير"})  # "big" is a close spelling of "Jubeir"
    text = "وقال وزير الخارجية عادل الجبير إن الحل سياسي.\nوقال كبير المفاوضين إن الجولة انتهت."
    assert jubeir.within(words_of(text)).spellings == frozenset({"الجبير"})
    said = [text[u.start : u.end] for u in attributed(text, spans(text, 0, len(text)), jubeir)]
    assert said == ["وقال وزير الخارجية عادل الجبير إن الحل سياسي."]


def test_a_learnt_title_named_on_by_another_nationality_is_another_holders() -> None:
    named = "وقال وزير الخارجية عادل الجبير إن الحل سياسي."
    ours = "كما شدد وزير الخارجية على أن السفير سيعود."
    theirs = "كما أكد وزير الخارجية الإيراني أن العلاقات جيدة."
    assert _said("\n".join([named, ours, theirs]), "عادل الجبير") == [named, ours]


def test_abd_and_the_name_after_it_are_one_word_as_written_either_way() -> None:
    text = "وقال رامي عبد الرحمن إن الاشتباكات مستمرة."
    assert _said(text, "رامي عبدالرحمن") == [text]


def test_articles_writing_abd_apart_are_found_through_the_postings() -> None:
    from assistant.answer.statements import _name_tokens
    from assistant.text.arabic import tokenize

    for asked in ("رامي عبدالرحمن", "رامي عبد الرحمن"):  # the BM25 index holds "عبد" and "الرحمن" apart
        queries = _name_tokens(SpeakerMatch.of(asked))
        assert [tokenize("عبد"), tokenize("الرحمن")] in queries and [tokenize("عبدالرحمن")] in queries


def test_english_speakers_with_al_accents_or_an_acronym() -> None:
    assert statement_ask("What did Saudi Foreign Minister Adel al-Jubeir say?", "en").match.latin == ("adel", "jubeir")
    assert statement_ask("What did José Mourinho say?", "en").match.latin == ("jose", "mourinho")
    sama = statement_ask("What has the Saudi Arabian Monetary Agency (SAMA) reported?", "en")
    assert sama is not None and sama.match.latin == ("sama",)


def test_the_mufti_is_a_title_and_his_honorific_continues_him() -> None:
    first = "وقال المفتي الشيخ عبدالعزيز آل الشيخ إن الأمن نعمة."
    second = "ودعا سماحته الشباب إلى الحذر."
    assert _said("\n".join([first, second]), "مفتي عام المملكة الشيخ عبدالعزيز آل الشيخ") == [first, second]


def test_an_archive_keeps_the_closest_spellings_of_a_name_given_alone() -> None:
    """A short name stays close to some words ("Kerry" is one unwritten vowel from "غير"): of an
    archive's words only the closest spellings are kept."""
    assert same_name("Kerry", "غير")
    assert SpeakerMatch.of("Putin").spelled(["بوتين", "باطن", "بحث", "بيت", "وزير"]).spellings == frozenset({"بوتين"})
    assert SpeakerMatch.of("Kerry").spelled(["كيري", "غير", "اخري"]).spellings == frozenset({"كيري"})


def test_a_spelling_with_a_proclitic_is_no_other_spelling() -> None:
    tsipras = SpeakerMatch.of("Alexis Tsipras").spelled(["تسيبراس", "وتسيبراس", "بيت"])
    assert tsipras.spellings == frozenset({"تسيبراس"})  # one spelling: the last name alone names him
    said = "وأكد تسيبراس في بيان أن خطة الإنقاذ ستحول دون الانهيار."
    assert attributed(said, candidate_spans(said, 0, len(said)), tsipras)


def test_a_last_name_spelled_several_ways_needs_the_full_name_in_the_article() -> None:
    from assistant.text.speech.names import words_of

    match = SpeakerMatch.of("John Kerry").spelled(["كيري", "خيري", "جون"])
    assert match.named_in(words_of("وقال وزير الخارجية الأمريكي جون كيري إن الاتفاق جيد"))
    assert not match.named_in(words_of("وقال خيري إن الاتفاق جيد"))


# --- reported speech -----------------------------------------------------------------


def _said(text: str, speaker: str) -> list[str]:
    return [text[u.start : u.end] for u in attributed(text, candidate_spans(text, 0, len(text)), SpeakerMatch.of(speaker))]


_RABEEAH = "المشرف العام على مركز الملك سلمان للإغاثة عبدالله الربيعة"
_ASSAD = "الرئيس السوري بشار الأسد"


@pytest.mark.parametrize(("sentence", "speaker", "speaks"), [
    # "مطالبا الرئيس بشار الأسد بالرحيل": the one asked to leave; the participle's subject is the sentence's own
    ("وأكد الوزير أن الاتفاق مهم، مطالبا الرئيس بشار الأسد بالرحيل.", _ASSAD, False),
    ("وأكد الوزير أن الاتفاق مهم، مطالبا الرئيس بشار الأسد بالرحيل.", "الوزير", True),
    # "وأكد أن المعونات تأتي بإشراف … الربيعة، موضحا": the one who confirmed goes on; the name is in what he said
    ("وأكد أن المعونات الطبية تأتي بإشراف ومتابعة من المشرف العام على المركز الدكتور عبدالله الربيعة، موضحا أنها ستوزع على المستشفيات.",
     _RABEEAH, False),
    ("وشدد المشرف العام على المركز الدكتور عبدالله الربيعة على أهمية الدعم، موضحا أنه يصل إلى المستشفيات.", _RABEEAH, True),
    # "من قوات نظام بشار الأسد، مشيرا الى أن ...": the regime's, not its words; the observatory speaks
    ("كما أعلن المرصد مقتل امرأة في مخيم درعا جراء قصف من قوات نظام بشار الأسد، مشيرا الى أن القتلى مدنيون.", _ASSAD, False),
    ("وكان الرئيس السوري بشار الأسد، مشيرا الى أن الحرب طويلة، قد دعا إلى الحوار.", _ASSAD, True),
    # "واوضح بوتين … ضربت الفيفا، مضيفا …": Putin goes on speaking; FIFA is the object of a clause
    ('واوضح بوتين ايضا "نحن نرى ما يحصل حول كرة القدم" في اشارة الى فضائح الفساد الذي ضربت الفيفا، مضيفا "نحن ممتنون".', "FIFA", False),
    # a speaker named through a long title after the verb still speaks through the participle
    ("وأوضح مستشار الأمير المشرف العام على وكالة التنمية الدكتور هشام الفالح، مشيرا إلى أن النقل نجح.",
     "مستشار أمير منطقة مكة المكرمة الدكتور هشام الفالح", True),
])
def test_whose_participle_it_is(sentence: str, speaker: str, speaks: bool) -> None:
    """A circumstantial participle ("مشيرا", "موضحا", "مضيفا") after a name: does that name speak through it?"""
    assert _said(sentence, speaker) == ([sentence] if speaks else [])


def test_a_kunya_last_name_is_found_written_joined_or_apart() -> None:
    """"هاني أبو راس" is also written "أبوراس", and the other way round."""
    joined = "من جانبه أوضح الدكتور هاني بن محمد أبوراس أمين محافظة جدة، أن الحديقة تم تشغيلها في رمضان."
    apart = "من جانبه أوضح الدكتور هاني أبو راس أمين محافظة جدة، أن الحديقة تم تشغيلها في رمضان."
    assert _said(joined, "أمين محافظة جدة هاني أبو راس") == [joined]
    assert _said(apart, "أمين محافظة جدة هاني أبوراس") == [apart]
    assert _said("وقال أبو بكر إن الحديقة جاهزة.", "أمين محافظة جدة هاني أبو راس") == []


def test_a_reporting_verb_before_its_speaker() -> None:
    text = "وقال المتحدث الرسمي باسم الكرملين، ديمتري بيسكوف، للصحفيين إنه لا توجد خطط."
    assert _said(text, "بيسكوف") == [text]


def test_a_long_title_between_the_verb_and_its_speaker() -> None:
    titled = ("أكد سماحة مفتي عام المملكة رئيس هيئة كبار العلماء وإدارة البحوث العلمية والإفتاء الشيخ "
              "عبدالعزيز بن عبدالله آل الشيخ على أهمية الحوار مع الشباب.")
    assert _said(titled, "مفتي عام المملكة الشيخ عبدالعزيز آل الشيخ") == [titled]
    objects = "وأكد البيان استمرار الدعم المقدم للشعب السوري من الدول الشقيقة والصديقة بقيادة الشيخ عبدالعزيز آل الشيخ."
    assert _said(objects, "الشيخ عبدالعزيز آل الشيخ") == []  # no title after the verb: the name is no subject


def test_a_speaker_before_a_reporting_verb_and_a_refusal_to_comment() -> None:
    text = "وطلب الشرع تسليم الأسد، إلا أن بيسكوف رفض التعليق على الطلب."
    assert _said(text, "بيسكوف") == [text]


def test_the_subject_of_an_opening_verb_speaks_through_a_participle_after_it() -> None:
    greeting = "رفع الوزير عادل الجبير التهاني للقيادة بمناسبة العيد، سائلاً المولى أن يعيده على الجميع بالخير."
    assert _said(greeting, "عادل الجبير") == [greeting]
    met = "رفع الوزير عادل الجبير التهاني للقيادة بمناسبة العيد."  # no participle of speech: a deed, not a statement
    assert _said(met, "عادل الجبير") == []
    later = "التقى الأمير عددا من المسؤولين والوزير عادل الجبير، سائلاً المولى التوفيق."  # not the opening verb's subject
    assert _said(later, "عادل الجبير") == []


def test_a_name_inside_what_was_said_is_not_the_speaker() -> None:
    text = "كشف الكرملين أن الرئيس فلاديمير بوتين ليس لديه نية للقاء الأسد."
    assert _said(text, "بوتين") == []
    assert _said(text, "الكرملين") == [text]


def test_a_name_after_a_preposition_is_a_topic_or_an_addressee() -> None:
    assert _said("الرئاسة الروسية تتحدث عن خطط بوتين القادمة في سوريا.", "بوتين") == []
    assert _said("وقال الأسد لبوتين إن الانتخابات نجحت.", "بوتين") == []
    assert _said("لكن برشلونة رد بهدفين متتاليين عبر نيمار في الدقيقتين 15 و29.", "نيمار") == []  # via Neymar
    expressed = "وعبر نيمار عن سعادته بالفوز."
    assert _said(expressed, "نيمار") == [expressed]  # "عبّر … عن": the verb


def test_according_to_names_the_source_of_an_indirect_report() -> None:
    text = "وحصد الأسد 13 مليون صوت من إجمالي الناخبين الذي بلغ بحسب حمودة الصباغ 14 مليون ناخب."
    assert _said(text, "حمودة الصباغ") == [text]
    assert _said("وحضر حمودة الصباغ الحفل بحسب الوكالة.", "حمودة الصباغ") == []


def test_a_report_quoting_its_source_after_an() -> None:
    text = "ونقلت وكالة تاس الروسية عن بيسكوف تأكيده أن جدول الأعمال لا يتضمن أي لقاء."
    assert _said(text, "بيسكوف") == [text]


def test_a_continuation_carries_the_speaker_on_and_stops_at_another_speaker() -> None:
    first = "وقال الوزير عادل الجبير إن المملكة تدعم الحل السياسي."
    second = "وأضاف أن الحوار هو الطريق الوحيد."
    third = "من جهته قال لافروف إن موسكو توافق."
    fourth = "وأضاف أن المحادثات ستستمر."
    text = "\n".join([first, second, third, fourth])
    assert _said(text, "عادل الجبير") == [first, second]


def test_a_continuing_verb_with_his_words_as_its_object_carries_the_speaker_on() -> None:
    """"واختتم حديثه ... حيث قال: ...": he concluded his talk; "حديثه"/"كلامه" refer back to the speaker."""
    first = "وقال لاعب الاتحاد سولي مونتاري أثناء المؤتمر الصحفي إنه سعيد بالانضمام إلى النادي."
    last = "واختتم حديثه موجها كلامه للجماهير حيث قال: أنا هنا من أجل الفوز."
    text = f"{first} {last}"
    assert _said(text, "لاعب الاتحاد سولي مونتاري") == [first, last]


def test_a_continuation_carries_past_a_sentence_in_which_nobody_speaks() -> None:
    first = "وقال الوزير عادل الجبير إن المملكة تدعم الحل السياسي."
    heading = "لا تراجع عن الدعم.."
    second = "وأضاف أن الحوار هو الطريق الوحيد."
    third = "كما أوضح، أن المحادثات ستستمر."
    narrative = "وتقع المملكة في شبه الجزيرة العربية."
    far = "وتابع أن الزيارة ناجحة."
    text = "\n".join([first, heading, second, third, narrative, narrative, far])
    assert _said(text, "عادل الجبير") == [first, second, third]
    but = "إلا أنه أشار إلى أن الوفد لن يرافقه."
    assert _said("\n".join([first, but]), "عادل الجبير") == [first, but]
    other = "\n".join([first, "وأعلنت الشركة أرباحها.", second])  # another speaker between: no carrying on
    assert _said(other, "عادل الجبير") == [first]


def test_a_name_in_quotation_marks_after_the_verb_is_a_new_speaker() -> None:
    first = "وقال الوزير عادل الجبير إن المملكة تدعم الحل السياسي."
    quoted_name = 'وقال "كيري" إنه يختلف في الرأي.'
    quote = 'وقال: "إن الحوار هو الطريق الوحيد".'
    assert _said("\n".join([first, quoted_name]), "عادل الجبير") == [first]
    assert _said("\n".join([first, quote]), "عادل الجبير") == [first, quote]
    long_quote = 'وتابع "الحوار هو الطريق" وأن الوفد سيصل.'  # a quotation, not a name: closed after more words
    assert _said("\n".join([first, long_quote]), "عادل الجبير") == [first, long_quote]


def test_insisting_is_reporting() -> None:
    said = "وأصر المدرب أحمد سالم على أن الفريق جاهز للمباراة."
    assert _said(said, "أحمد سالم") == [said]


_COACH = ("قال المدرب أحمد سالم إن الفريق جاهز للمباراة.", "أحمد سالم")
_PRINCE = ("أوضح رئيس الوزراء الأمير خالد بن سعد أن دول المنطقة قدمت الكثير.", "الأمير خالد بن سعد")


@pytest.mark.parametrize(("speaker", "then", "carried"), [
    # "وفي رده على سؤال …، قال: «…»": the verb opens the main clause after a comma, with no subject of its own
    (_COACH, ["وفي رده على سؤال حول إصابة المهاجم، قال: «نأمل أن يعود قريبا».",
              "وقبل المباراة التي ستجمع الفريقين يوم الأحد المقبل، قال «إنها مباراة صعبة»."], True),
    (_COACH, ["وفي رده على سؤال حول الإصابة، قال الطبيب خالد عمر: «الإصابة بسيطة»."], False),
    (_COACH, ["وكان الوزير السابق، خالد عمر، قال، في بداية العام، إن الفريق يحتاج إلى مدرب."], False),
    (_COACH, ["وفي مؤتمر صحافي هذا الشهر أشاد خالد عمر بالفريق، وقال «إنه جاهز»."], False),
    # "وشدد لدى استقباله … على ضرورة …": when he received them; his pronoun, so still the last speaker
    (_PRINCE, ["وشدد لدى استقباله عددا من كبار المسؤولين في مملكة البحرين على ضرورة الحفاظ على المكتسبات."], True),
    (_PRINCE, ["وشدد خلال زيارة الوزير سالم عمر على ضرورة الحفاظ على المكتسبات."], False),  # no pronoun of his: the visitor may speak
])
def test_a_continuing_verb_carries_on_after_a_fronted_phrase_or_an_adverbial_of_the_speakers_own(
    speaker: tuple[str, str], then: list[str], carried: bool
) -> None:
    first, name = speaker
    assert _said("\n".join([first, *then]), name) == ([first, *then] if carried else [first])


def test_a_continuation_may_take_its_complement_with_a_preposition() -> None:
    first = "وقال الوزير عادل الجبير إن المملكة تدعم الحل السياسي."
    stress = "كما نوه بأهمية الرد على اتصالات المستفيدين."
    urge = "وشدد على ضرورة الحوار."
    assert _said("\n".join([first, stress, urge]), "عادل الجبير") == [first, stress, urge]
    someone = "كما أكد بوتين على أن الدعم مستمر."  # a name after the verb: another speaker, not a continuation
    assert _said("\n".join([first, someone]), "عادل الجبير") == [first]


def test_a_quotation_run_on_over_sentences_is_one_statement() -> None:
    opened = "وقال الوزير عادل الجبير: «إن المملكة تدعم الحل السياسي."
    rest = "والحوار هو الطريق الوحيد»."
    after = "وفي سياق آخر، ارتفعت أسعار النفط."
    text = " ".join([opened, rest, after])
    assert _said(text, "عادل الجبير") == [f"{opened} {rest}"]
    closed = "وقال الجبير عادل الجبير إن “المملكة تدعم الحل“. وارتفعت أسعار النفط."  # “ closing, as articles write it
    assert _said(closed, "عادل الجبير") == ["وقال الجبير عادل الجبير إن “المملكة تدعم الحل“."]


def test_the_two_sides_speak_for_the_speaker_only_right_after_naming_them() -> None:
    named = "واستقبل بوتين الرئيس السوري في موسكو."
    joint = "وأكد الجانبان أهمية استمرار المشاورات."
    later = "ناقش الزعيمان سبل التعاون، مؤكدين ضرورة الحوار."
    assert _said("\n".join([named, joint]), "بوتين") == [joint]
    assert _said("\n".join([named, "وارتفعت أسعار النفط.", later]), "بوتين") == []
    assert _said("\n".join([named, later]), "بوتين") == [later]


def test_an_article_names_its_speaker_by_title_after_naming_them() -> None:
    text = "وقال المتحدث باسم الكرملين ديمتري بيسكوف إنه لا خطط.\nوأوضح المتحدث باسم الكرملين أن الموعد لم يحدد."
    assert len(_said(text, "بيسكوف")) == 2


def test_a_body_speaks_through_its_secretariat_but_not_from_a_list_of_addressees() -> None:
    own = "استنكرت الأمانة العامة لمنظمة التعاون الإسلامي التصريحات."
    assert _said(own, "the Organisation of Islamic Cooperation") == [own]
    listed = "وناشد المفتي الدول العربية وجامعة الدول العربية ومنظمة التعاون الإسلامي التدخل العاجل."
    assert _said(listed, "the Organisation of Islamic Cooperation") == []
    assert _said("وقال الوزير لمنظمة التعاون الإسلامي إن الدعم مستمر.", "the Organisation of Islamic Cooperation") == []


def test_officials_in_a_body_speak_for_it() -> None:
    inside = "وأشار مسؤولون في وزارة الخارجية الإسرائيلية إلى أن إسرائيل قررت الامتناع عن التعقيب."
    assert _said(inside, "وزارة الخارجية الإسرائيلية") == [inside]
    topic = "وأشار الوزير في وزارة الخارجية الإسرائيلية إلى أن الوفد وصل."  # anyone else "in" it: a place
    assert _said(topic, "وزارة الخارجية الإسرائيلية") == []


def test_a_title_is_learnt_across_a_rank_and_a_full_given_name() -> None:
    text = "رفع وزير الحج الدكتور بندر بن محمد حجار التهاني.\nوأكد وزير الحج أهمية الاحتفالات."
    assert _said(text, "وزير الحج بندر حجار") == ["وأكد وزير الحج أهمية الاحتفالات."]
    other = "رفع وزير الحج الدكتور بندر بن محمد حجار التهاني.\nوأكد وزير الحج السابق أهمية الاحتفالات."
    assert _said(other.replace("الدكتور بندر بن محمد", "في الحكومة الجديدة"), "وزير الحج بندر حجار") == []


def test_a_title_with_a_place_is_learnt_and_known_again_shortened() -> None:
    named = "نوه رئيس هيئة الأركان العامة في اليمن اللواء محمد المقدشي بالدور المحوري للتحالف."
    later = "وجدد رئيس هيئة الأركان التأكيد على السيطرة على عدن."
    assert _said("\n".join([named, later]), "رئيس هيئة الأركان اليمني اللواء محمد المقدشي") == [named, later]
    two_words = "وأكد رئيس هيئة أن الموعد لم يحدد."  # fewer than three words of the title: anyone's
    assert _said("\n".join([named, two_words]), "رئيس هيئة الأركان اليمني اللواء محمد المقدشي") == [named]


def test_a_sentence_opening_with_a_reporting_participle_is_the_rest_of_the_one_before() -> None:
    theirs = "وجدد الوزير عادل الجبير التأكيد على السيطرة على عدن.."
    split = "مشيرا إلى أن الجيوب المتبقية صغيرة."
    assert _said(" ".join([theirs, split]), "عادل الجبير") == [f"{theirs} {split}"]
    other = "وارتفعت أسعار النفط.."  # the sentence before is nobody's: neither is its rest
    assert _said("\n".join([theirs, "وبحث الاجتماع الخطط.", other, split]), "عادل الجبير") == [theirs]


def test_bayyana_is_a_reporting_verb_only_opening_a_report() -> None:
    said = "وبين الصباغ أن المساعدات ستصل إلى المستشفيات."
    assert _said(said, "رأفت الصباغ") == []  # the first name is never written: the last name alone does not count
    assert _said("قال رأفت الصباغ إن القافلة انطلقت.\n" + said, "رأفت الصباغ")[1:] == [said]
    between = "بين رأفت الصباغ والوزير اجتماع مطول اليوم."
    assert _said(between, "رأفت الصباغ") == []


def test_the_official_refers_back_to_whoever_just_spoke() -> None:
    first = "وقال الوزير عادل الجبير إن المملكة تدعم الحل السياسي."
    back = "ولفت المسؤول السعودي إلى أن الحوار مستمر."
    assert _said("\n".join([first, back]), "عادل الجبير") == [first, back]
    other = "من جهته قال لافروف إن موسكو توافق."
    assert _said("\n".join([first, other, back]), "عادل الجبير") == [first]


def test_a_body_is_nobodys_name_and_its_bare_noun_is_not_another_body() -> None:
    sama = "مؤسسة النقد العربي السعودي"
    assert SpeakerMatch.of(sama).surname is None  # was read as a person: "السعودي", given name "مؤسسة"
    named = "وأعلنت مؤسسة النقد العربي السعودي نتائج الربع الأول."
    own = "وأكدت المؤسسة أن السيولة متوفرة."
    other = "وأوضح محافظ المؤسسة العامة للتدريب التقني أن الميزانية ارتفعت."
    assert _said("\n".join([named, own, other]), sama) == [named, own]
    assert _said("\n".join(["وقال الأمير إن الطلاب تخرجوا من المؤسسة السعودية الأولى.", other]), sama) == []


def test_a_report_a_body_issued_speaks_for_it() -> None:
    issued = "أصدرت مؤسسة النقد العربي السعودي تقريرها السنوي أمس."
    says = "وأوضح التقرير أن القروض ارتفعت بنسبة 14 في المائة."
    assert _said("\n".join([issued, says]), "مؤسسة النقد العربي السعودي") == [says]  # issuing it says nothing yet
    content = "وأصدرت المؤسسة بياناً أكدت فيه أن السيولة متوفرة."
    assert _said("\n".join([issued, content]), "مؤسسة النقد العربي السعودي") == [content]


def test_the_statement_is_the_speakers_unless_it_names_another_issuer() -> None:
    issued = "وأصدرت وزارة الخارجية الروسية بياناً حول الانتخابات."
    theirs = "وذكر البيان أن الانتخابات خطوة مهمة."
    another = "ولم يذكر البيان الصادر عن الرئاسة السورية أن الطرفين ناقشا الانتخابات."
    assert _said("\n".join([issued, theirs, another]), "وزارة الخارجية الروسية") == [theirs]
    carried = "وأصدرت وزارة الخارجية الروسية بياناً نقلته وكالة “تاس” الروسية."  # a quoted name is no content
    assert _said("\n".join([carried, theirs]), "وزارة الخارجية الروسية") == [theirs]


# --- one statement, many prints ---------------------------------------------------


def _doc(doc_id: str, text: str, date: str | None, outlet: str | None = None) -> Document:
    return Document(doc_id, doc_id, text, doc_id, outlet, PubDate.parse(date) if date else None, "metadata" if date else None, doc_id)


def _report(doc: Document, vector: list[float]) -> Said:
    v = np.asarray(vector, dtype=np.float32)
    return Said(doc, 0, len(doc.text), "verb", v / np.linalg.norm(v))


def test_reports_of_one_statement_in_two_outlets_are_grouped_one_to_one() -> None:
    a = _doc("a", "قال بيسكوف إنه لا توجد خطط للقاء", "2021-05-28", "outlet A")
    a2 = _doc("a", "وقال بيسكوف إنه ليس لديه ما يقوله", "2021-05-28", "outlet A")
    b = _doc("b", "أكد بيسكوف أن بوتين لا ينوي اللقاء", "2021-05-29", "outlet B")
    b2 = _doc("b", "نقلت تاس عن بيسكوف أنه لا شيء يقال", "2021-05-29", "outlet B")
    said = [_report(a, [1, 0, 0]), _report(a2, [0, 1, 0]), _report(b, [0.9, 0.1, 0.1]), _report(b2, [0.2, 0.9, 0.1])]
    groups = group_statements(said, "Peskov")
    assert len(groups) == 2
    assert [len(g.reports) for g in groups] == [2, 2]
    assert {(r.doc.doc_id, r.vector.argmax()) for r in groups[0].reports} in ({("a", 0), ("b", 0)}, {("a", 1), ("b", 1)})
    assert all(g.outlets() == [("b", "outlet B")] for g in groups)


def test_two_sentences_of_one_article_are_never_one_statement() -> None:
    a = _doc("a", "قال بيسكوف إنه لا توجد خطط", "2021-05-28")
    same = [_report(a, [1, 0]), _report(a, [1, 0.01])]
    assert len(group_statements(same, "Peskov")) == 2


def test_an_outlet_that_printed_a_statement_twice_is_named_once() -> None:
    from assistant.answer.statements import StatementsFound, statements_answer

    first = _doc("a", "قال بيسكوف إنه لا توجد خطط للقاء", "2021-05-28", "outlet A")
    again = [_doc(d, "قال بيسكوف إنه لا توجد خطط للقاء", "2021-05-28", "outlet B") for d in ("b", "c")]
    statement = Statement("Peskov", [_report(first, [1, 0, 0])] + [_report(d, [1, 0, 0]) for d in again])
    found = StatementsFound(StatementAsk("Peskov", "say"), [statement], "none", 3)
    text, citations, views = statements_answer(found, None, "en", {d.doc_id: d for d in [first, *again]})
    assert "(also reported by: outlet B)" in text and len(citations) == 3
    assert [d for d, _ in views[0].also_reported_by] == ["b", "c"]  # the JSON keeps every article


def test_statements_are_ordered_by_date_undated_last_and_split_by_year() -> None:
    old = _doc("old", "أكد المتحدث أن موسكو لا تخطط لأي لقاء قريب", "2021-05-28")
    new = _doc("new", "رفض بيسكوف التعليق على طلب دمشق", "2025-02-12")
    undated = _doc("x", "وصف الكرملين المحادثة بأنها كانت بناءة جدا", None)
    groups = group_statements([_report(undated, [0, 0, 1]), _report(new, [0, 1, 0]), _report(old, [1, 0, 0])], "Peskov")
    assert [g.first.doc.doc_id for g in groups] == ["old", "new", "x"]
    window = DateWindow(dt.date(2021, 1, 1), dt.date(2025, 12, 31), "between 2021 and 2025")
    assert [p for p, _ in periods(groups, window)] == ["2021", "2025", ""]


def test_the_topic_keeps_statements_that_speak_of_it() -> None:
    on = _doc("a", "قال بيسكوف إن طلب التسليم لم يطرح", "2025-02-12")
    off = _doc("b", "قال بيسكوف إن الطقس جميل", "2025-02-12")
    groups = [Statement("Peskov", [_report(on, [1, 0])]), Statement("Peskov", [_report(off, [0, 1])])]
    topic = Topic.of(StatementAsk("بيسكوف", "علق", "على طلب التسليم"), None, "ar")
    kept, dropped = on_topic(groups, topic)
    assert [g.first.doc.doc_id for g in kept] == ["a"] and dropped == 1


def test_an_english_topic_name_is_looked_for_by_its_arabic_spellings_and_stems() -> None:
    on = _doc("a", "قال كيري إن أصدقاءنا في إسرائيل سيصبحون أكثر عزلة", None)
    off = _doc("b", "قال كيري إن الاتفاق النووي أفضل من عدمه", None)
    groups = [Statement("Kerry", [_report(on, [1, 0])]), Statement("Kerry", [_report(off, [0, 1])])]
    topic = Topic.of(StatementAsk("John Kerry", "say", "about Israel?"), None, "en")
    assert [m.latin for m in topic.names] == [("israel",)]  # was dropped: the name came lower-cased
    kept, dropped = on_topic(groups, topic.spelled(["إسرائيل", "الاتفاق", "كيري"]))
    assert [g.first.doc.doc_id for g in kept] == ["a"] and dropped == 1
    syria = Topic.of(StatementAsk("Putin", "say", "about Syria"), None, "en").spelled(["سوريا", "روسيا"])
    assert syria.matches("أكد دعم الشركاء السوريين")  # the spelling's stem, as an Arabic question's word


def test_an_english_topic_keeps_al_names_and_reads_saudi_arabia_whole() -> None:
    topic = Topic.of(StatementAsk("the OIC", "comment", "on Nouri al-Maliki's remarks about Saudi Arabia?"), None, "en")
    topic = topic.spelled(["المالكي", "نوري", "رابعا", "السعودية"])
    assert topic.matches("تصريحات المالكي ضد المملكة")  # "al-Maliki" was dropped: its first letter is lower-case
    assert topic.matches("دعم السعودية")
    assert not topic.matches("رابعا: الاقتصاد")  # "Arabia" alone is not looked for


def test_a_topic_no_statement_names_is_matched_by_meaning() -> None:
    """"about commodity prices": an English topic whose words no Arabic statement holds. The statements
    whose vectors come within half of the closest one's cosine to the topic's stay; without a topic
    ("What did X say?") or with one the words find, meaning is not asked."""
    prices = _doc("a", "ذكر البنك أن أسعار السلع ستظل ضعيفة", None)
    oil = _doc("b", "ويتوقع البنك أن يكون متوسط سعر النفط 57 دولارا", None)
    georgia = _doc("c", "وصف البنك جورجيا بأنها الأولى في الإصلاح", None)
    groups = [Statement("WB", [_report(prices, [1, 0.2, 0])]), Statement("WB", [_report(oil, [0.8, 0.6, 0])]),
              Statement("WB", [_report(georgia, [0.1, 0, 1])])]
    topic = Topic.of(StatementAsk("the World Bank", "say", "about commodity prices?"), None, "en")
    asked: list[str] = []

    def embed(text: str) -> np.ndarray:
        asked.append(text)
        return np.asarray([1, 0, 0], dtype=np.float32)

    kept, dropped = on_topic(groups, topic, embed)
    assert [g.first.doc.doc_id for g in kept] == ["a", "b"] and dropped == 1 and asked == ["about commodity prices"]
    asked.clear()
    plain = Topic.of(StatementAsk("the World Bank", "say", "?"), None, "en")
    assert on_topic(groups, plain, embed) == (groups, 0) and not asked
    words = Topic.of(StatementAsk("البنك الدولي", "قال", "عن أسعار السلع"), None, "ar")
    kept, dropped = on_topic(groups, words, embed)
    assert [g.first.doc.doc_id for g in kept] == ["a"] and not asked


def test_a_statement_in_an_article_headlined_on_the_topic_is_on_it() -> None:
    titled = Document("a", "a", "قال بيسكوف إن الموقف لم يتغير", "الكرملين يعلق على طلب التسليم", None, None, None, "a")
    other = _doc("b", "قال بيسكوف إن الطقس جميل", None)
    groups = [Statement("Peskov", [_report(titled, [1, 0])]), Statement("Peskov", [_report(other, [0, 1])])]
    kept, dropped = on_topic(groups, Topic.of(StatementAsk("بيسكوف", "علق", "على طلب التسليم"), None, "ar"))
    assert [g.first.doc.doc_id for g in kept] == ["a"] and dropped == 1


# --- scoring ---------------------------------------------------------------------


def test_scoring_counts_recall_precision_and_duplicates() -> None:
    q = StatementQuestion("q", "en", "?", [GoldSentence(1, "a", 0, 10), GoldSentence(1, "b", 0, 10), GoldSentence(2, "a", 20, 30)])
    s = score(q, [[("a", 0, 10)], [("b", 0, 10)], [("a", 40, 50)]])
    assert (s.found_groups, s.correct, s.duplicates, s.shown) == (1, 2, 1, 3)
    summary = summarise([s])
    assert summary["recall"] == 0.5 and summary["precision"] == round(2 / 3, 3) and summary["duplicates"] == 1


def test_the_seed_gold_points_at_real_sentences() -> None:
    for q in load_statement_set(SEED_SET):
        for g in q.gold:
            text = read_text(SEEDS / f"{g.doc_id}.txt")
            assert text[g.start : g.end].strip() == text[g.start : g.end] and g.end > g.start
    rows = [json.loads(line) for line in SEED_SET.read_text(encoding="utf-8").splitlines()]
    assert all(read_text(SEEDS / f"{g['doc_id']}.txt")[g["start"] : g["end"]] == g["text"] for r in rows for g in r["gold"])
    assert len(rows) >= 12


# --- the real pipeline on the seeds --------------------------------------------------


@pytest.mark.models
def test_what_peskov_said_in_may_2021_lists_both_statements_once_with_both_outlets(seed_answerer) -> None:  # type: ignore[no-untyped-def]
    ans = seed_answerer.ask("What did Peskov say in May 2021?", today=TODAY)
    assert ans.mode == "statements" and not ans.abstained
    assert ans.statements is not None and len(ans.statements) == 2
    for st in ans.statements:
        assert {c.doc_id[:3] for c in st.citations} == {"000", "001"}, st
        assert [d[:3] for d, _ in st.also_reported_by] == ["001"]
    assert "004" not in {c.doc_id[:3] for c in ans.citations}
    for c in ans.citations:
        assert read_text(SEEDS / f"{c.doc_id}.txt")[c.start : c.end] == c.quote
        assert f"[{c.n}]" in ans.answer
    assert ans.answer.startswith("What Peskov said")
    quoted = [st.quote for st in ans.statements]
    assert any("لا توجد خطط في الوقت الحالي" in q for q in quoted) and any("ليس لدي ما أقوله" in q for q in quoted)


@pytest.mark.models
def test_a_window_open_to_today_lists_undated_statements_last(seed_answerer) -> None:  # type: ignore[no-untyped-def]
    ans = seed_answerer.ask("ماذا قال بوتين عن سوريا منذ 2021؟", today=TODAY)
    assert ans.mode == "statements" and ans.statements
    dated = [st.date is not None for st in ans.statements]
    assert dated[0] and not dated[-1] and dated == sorted(dated, reverse=True), dated
    assert "غير مؤرخ" in ans.answer


@pytest.mark.models
def test_a_window_of_several_years_lists_undated_statements_last(seed_answerer) -> None:  # type: ignore[no-untyped-def]
    """Asked per period ("between 2021 and 2025"), an undated article may fall in any of them: listed last, marked.
    A window within one year ("in May 2021") keeps to dated articles when they hold statements."""
    ans = seed_answerer.ask("What did the Kremlin say between 2021 and 2025?", today=TODAY)
    assert ans.mode == "statements" and ans.statements
    dated = [st.date is not None for st in ans.statements]
    assert dated[0] and not dated[-1] and dated == sorted(dated, reverse=True), dated
    narrow = seed_answerer.ask("ماذا قال بيسكوف في أيار 2021؟", today=TODAY)
    assert narrow.statements and all(st.date is not None for st in narrow.statements)


@pytest.mark.models
def test_a_refusal_to_comment_answers_did_he_comment(seed_answerer) -> None:  # type: ignore[no-untyped-def]
    ans = seed_answerer.ask("هل علّق بيسكوف على طلب تسليم بشار الأسد؟", today=TODAY)
    assert ans.mode == "statements" and ans.answer.startswith("ما قاله بيسكوف")
    assert any(c.doc_id.startswith("004") and "رفض التعليق" in c.quote for c in ans.citations), ans.answer


@pytest.mark.models
def test_someone_who_is_only_mentioned_said_nothing(seed_answerer) -> None:  # type: ignore[no-untyped-def]
    ans = seed_answerer.ask("What did Russian defence minister Sergei Shoigu say during Assad's visit to Moscow?", today=TODAY)
    assert ans.abstained and ans.statements == [] and "quote nothing" in ans.answer


@pytest.mark.models
def test_the_seed_statement_set_meets_its_floors(seed_answerer) -> None:  # type: ignore[no-untyped-def]
    """Hand-marked statements on the seeds (tests/data/statements_seeds.jsonl); floors just under the
    figures measured (recall 0.70 and precision 0.87 when this landed; 0.889 and 0.895 on 2026-12-07,
    stop 27; the Peskov questions exact)."""
    scores = {}
    for q in load_statement_set(SEED_SET):
        ans = seed_answerer.ask(q.question, today=TODAY)
        scores[q.id] = score(q, [[(c.doc_id, c.start, c.end) for c in st.citations] for st in (ans.statements or [])])
    summary = summarise(list(scores.values()))
    assert summary["recall"] >= 0.85 and summary["precision"] >= 0.85, summary
    assert summary["empty_kept_empty"] == "2/2", summary
    for peskov in ("ss01", "ss02", "ss03"):
        s = scores[peskov]
        assert s.found_groups == s.gold_groups and s.duplicates == 0 and s.correct == s.shown, s


@pytest.mark.models
def test_ask_json_carries_the_statements(seed_index: Path) -> None:
    proc = run_cli("ask", "--json", "--index-dir", str(seed_index), "What did Peskov say in May 2021?")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["mode"] == "statements" and len(out["statements"]) == 2
    numbers = {c["n"] for c in out["citations"]}
    for st in out["statements"]:
        assert set(st) == {"speaker", "date", "quote", "citations", "also_reported_by"}
        assert {c["n"] for c in st["citations"]} <= numbers and st["quote"] == st["citations"][0]["quote"]
        assert st["also_reported_by"][0]["outlet"]


@pytest.mark.models
def test_plain_ask_groups_the_sources_by_statement(seed_index: Path) -> None:
    proc = run_cli("ask", "--index-dir", str(seed_index), "ماذا قال بيسكوف في أيار 2021؟")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("التصريح 1") == 1 and proc.stdout.count("التصريح 2") == 1
    assert "ورد أيضاً في" in proc.stdout


def test_an_english_name_with_bin_is_read_as_its_arabic_chain() -> None:
    """"Prince Sultan bin Salman": every "X bin Salman" spells "Salman"; the chain in Arabic names only him."""
    vocabulary = {"سلطان": 50, "سلمان": 300, "بن": 900, "سلطات": 20}
    match = SpeakerMatch.of("Prince Sultan bin Salman, President of the Saudi Commission for Tourism and National Heritage")
    match = match.spelled(vocabulary)
    assert match.latin == () and ("سلطان", "بن", "سلمان") in (match.phrase, *match.exonyms)
    other = "وأكد الأمير محمد بن سلمان أن الزيارة ناجحة."
    own = "وأكد الأمير سلطان بن سلمان أن التسجيل إنجاز."
    found = attributed(other + "\n" + own, candidate_spans(other + "\n" + own, 0, len(other) + 1 + len(own)), match)
    assert [(u.start, u.end) for u in found] == [(len(other) + 1, len(other) + 1 + len(own))]


def test_a_nationality_before_an_english_name_is_no_part_of_it() -> None:
    assert SpeakerMatch.of("the Afghan Taliban").latin == ("taliban",)
    assert SpeakerMatch.of("Kenyan President Uhuru Kenyatta").latin == ("uhuru", "kenyatta")


@pytest.mark.parametrize("sentence", [
    "عد الأمير سعود بن عبدالمحسن القرار إنجازا للمملكة.",  # عدّ: considered
    "أقر الأمير سعود بن عبدالمحسن بوجود تحديات كبيرة.",  # acknowledged
    "وأثنى الأمير سعود بن عبدالمحسن على جهود المواطنين.",  # praised
    "وتطرق الأمير سعود بن عبدالمحسن إلى أثر القرار على المنطقة.",  # touched on
])
def test_more_reporting_verbs(sentence: str) -> None:
    assert _said(sentence, "الأمير سعود بن عبدالمحسن") == [sentence]


def test_an_arabic_question_speaker_runs_past_a_title_with_on_to_the_name() -> None:
    """"المشرف العام على الفريق الكروي بنادي الاتحاد منصور البلوي": "على" is inside the title, the name is last."""
    ask = statement_ask("ماذا قال المشرف العام على الفريق الكروي بنادي الاتحاد منصور البلوي؟", "ar")
    assert ask is not None and ask.speaker.endswith("منصور البلوي")
    assert ask.match.surname == "بلوي" and ask.match.given == "منصور"
    assert statement_ask("هل علّق حزب العمال الكردستاني على الغارات التركية على مواقعه؟", "ar").speaker == "حزب العمال الكردستاني"


def test_a_chain_of_fathers_names_that_goes_on_otherwise_is_someone_else() -> None:
    """"فيصل بن عبدالله بن عبدالعزيز" is not "فيصل بن عبدالله المشاري" nor "فيصل بن عبدالله بن محمد"."""
    prince = "رئيس هيئة الهلال الأحمر السعودي الأمير فيصل بن عبدالله بن عبدالعزيز"
    assert _said("وأكد الأمير الدكتور فيصل بن عبدالله المشاري آل سعود أن الاتفاقية بداية تعاون.", prince) == []
    assert _said("وقال الأمير فيصل بن عبدالله بن محمد إن الموسم ناجح.", prince) == []
    own = ["وقال الأمير فيصل بن عبدالله بن عبدالعزيز إن الهيئة مستعدة.", "وأكد الأمير فيصل بن عبدالله رئيس الهيئة أن الفرق جاهزة."]
    assert _said("\n".join(own), prince) == own


def test_a_title_after_the_name_is_learnt() -> None:
    """"الأمير سعود بن عبدالمحسن بن عبدالعزيز أمير منطقة حائل، …" then "وأكد سمو أمير منطقة حائل أن …"."""
    first = "عد الأمير سعود بن عبدالمحسن بن عبدالعزيز أمير منطقة حائل، القرار إنجازا."
    later = "وأكد سمو أمير منطقة حائل أن الاعتراف الدولي تتويج للجهود."
    assert _said("\n".join([first, later]), "أمير منطقة حائل الأمير سعود بن عبدالمحسن") == [first, later]
    other = "وأكد أمير منطقة تبوك أن الموسم ناجح."  # another holder of another title: not learnt
    assert _said("\n".join([first, other]), "أمير منطقة حائل الأمير سعود بن عبدالمحسن") == [first]


def test_a_body_is_found_without_its_nationality_and_speaks_through_its_spokesman_by_name() -> None:
    """"المتحدث الرسمي لهيئة الهلال الأحمر في المنطقة الشرقية فهد بن عثمان الغامدي" speaks for "هيئة الهلال
    الأحمر السعودي"; later "وأضاف الغامدي" is the body's too. Another nationality is another body."""
    body = "هيئة الهلال الأحمر السعودي"
    first = "وأوضح المتحدث الرسمي لهيئة الهلال الأحمر في المنطقة الشرقية فهد بن عثمان الغامدي أن البلاغات بلغت 84 بلاغا."
    middle = "وتوزعت الحالات على المحافظات."
    later = "وأضاف الغامدي أن الفرق باشرت الحالات فورا."
    assert _said("\n".join([first, middle, later]), body) == [first, later]
    emirati = "وقال المتحدث باسم هيئة الهلال الأحمر الإماراتي إن القافلة وصلت."
    assert _said(emirati, body) == []
    assert SpeakerMatch.of("وزارة الصحة السعودية").unqualified == ()  # two words without it: too common a name


def test_the_us_state_department_in_both_spellings_of_american() -> None:
    """"the US State Department" is the American foreign ministry; the press writes "الأمريكية" and "الأميركية"."""
    for sentence in ("قالت وزارة الخارجية الأميركية إن الانتخابات معيبة.", "وتقول الخارجية الأمريكية إن الفضلي قاتل مع طالبان."):
        assert _said(sentence, "the US State Department") == [sentence]


def test_the_nationality_agrees_with_the_institution_and_the_minister_is_not_the_ministry() -> None:
    """"وزير الخارجية الأمريكي" is the Secretary of State (a person), not "الخارجية الأمريكية" (the department)."""
    assert _said("وتابع وزير الخارجية الأمريكي أن الخوف الحقيقي هو عدم الوصول إلى اتفاق.", "the US State Department") == []
    assert institution_names("the Israeli army") == ["الجيش الإسرائيلي"]


def test_a_learnt_title_after_a_noun_is_its_possessor_not_the_speaker() -> None:
    """"وثمن الخميس تفضل أمير المنطقة الشرقية برعاية المهرجان": the governor's kindness, praised by another."""
    prince = "أمير المنطقة الشرقية الأمير سعود بن نايف"
    first = "وافتتح الأمير سعود بن نايف أمير المنطقة الشرقية المهرجان مساء أمس."
    others = ["كما نقل تهاني وتبريكات سمو أمير المنطقة الشرقية لأهالي القطيف.",
              "وثمن الخميس تفضل أمير المنطقة الشرقية برعاية المهرجان."]
    own = "وأكد سمو أمير المنطقة الشرقية أن المهرجان يعكس تلاحم الأهالي."
    assert _said("\n".join([first, *others, own]), prince) == [own]


def test_a_name_after_a_preposition_with_a_pronoun_or_after_bismu_is_addressed() -> None:
    """"ثم ألقى قائد القوة كلمة رحب فيها بسمو وزير الحرس الوطني": the minister is welcomed, not speaking."""
    minister = "وزير الحرس الوطني الأمير متعب بن عبدالله"
    first = "وزار الأمير متعب بن عبدالله وزير الحرس الوطني القوات أمس."
    welcome = "ثم ألقى قائد القوة كلمة رحب فيها بسمو وزير الحرس الوطني في زيارته."
    assert _said("\n".join([first, welcome]), minister) == []
    named = "ثم ألقى قائد القوة كلمة رحب فيها بالأمير متعب بن عبدالله في زيارته."
    assert _said(named, minister) == []


def test_a_last_name_in_another_persons_name_is_not_the_speaker() -> None:
    """"علي عبدالله صالح": not "صالح بن عبدالله القاضي" (a given name), "عبدالله بن صالح العثيم" (a
    father's), nor "زكي الصالح" (another family, with the article)."""
    saleh = "الرئيس اليمني السابق علي عبدالله صالح"
    others = ["وقال عبدالله بن صالح العثيم رئيس مجلس الإدارة إن الزيارة ناجحة.",
              "وطالب أمين المنطقة صالح بن عبد الله القاضي الموظفين بالعمل الجماعي.",
              "وأكد زكي الصالح مدير المنتخب أن المشكلة انتهت."]
    own = "وقال علي عبدالله صالح إن الحوار هو الحل."
    assert _said("\n".join([*others, own]), saleh) == [own]


def test_an_institution_of_any_nationality_is_asked_for() -> None:
    """"What has the Nigerian army said?": a statement question about "الجيش النيجيري", not a question for the reader."""
    ask = statement_ask("What has the Nigerian army said?", "en")
    assert ask is not None and ask.match.phrase == ("جيش", "نيجيري")
    body = "ذكر الجيش النيجيري أمس أن 50 شخصا قتلوا في تفجيرين."
    assert _said(body, "the Nigerian army") == [body]


def test_according_to_the_statement_with_wafqan() -> None:
    """"ووفقا للبيان": "وفقا" was looked up after lstrip('وف'), which left "قا" and never matched."""
    from assistant.text.speech.attribution import _the_statement_says
    from assistant.text.speech.names import words_of

    assert _the_statement_says(words_of("ووفقا البيان فإن الزيارة ستتم قريبا."))
    assert _the_statement_says(words_of("وفق البيان فإن الزيارة ستتم قريبا."))


def test_a_title_before_a_bodys_name_is_its_officer_not_the_body() -> None:
    """"نائب رئيس فيفا" is FIFA's vice-president: the title names him, not FIFA, later in the article
    ("نائب رئيس الاتحاد الأردني"); an acronym is a body's name, not a person's."""
    text = 'وبلاتيني هو نائب رئيس "فيفا"، وكان مستشارا لبلاتر. وأكد نائب رئيس الاتحاد الأردني أن الأمير مستعد للترشح.'
    assert _said(text, "FIFA") == []
    own = 'وقال الاتحاد الدولي لكرة القدم "فيفا" إنه سينتخب رئيسا جديدا.'
    assert _said(own, "FIFA") == [own]
    assert SpeakerMatch.of("FIFA").body and not SpeakerMatch.of("Putin").body
    assert not SpeakerMatch.of("بوتين").body and SpeakerMatch.of("الكرملين").body


def test_a_person_asked_by_the_last_name_alone_keeps_the_titles_the_article_gives() -> None:
    """'بوتين': 'الرئيس الروسي فلاديمير بوتين' ... 'وأضاف الرئيس الروسي أن …' is Putin."""
    text = "وهنأ الرئيس الروسي فلاديمير بوتين الأسد. وأضاف الرئيس الروسي أن روسيا ستقف إلى جانب سوريا."
    assert _said(text, "بوتين") == ["وأضاف الرئيس الروسي أن روسيا ستقف إلى جانب سوريا."]


def test_a_name_inside_a_quotation_after_the_verb_is_no_subject() -> None:
    """'واضاف بلاتر "الفيفا ستكون دائما وراء روسيا"': Blatter speaks; FIFA is in what he said. A name
    alone in quotation marks right after the verb is still its subject ('وقال “كيري” إنه ...')."""
    text = 'واضاف بلاتر "الفيفا ستكون دائما وراء روسيا"، مطمئنا روسيا بالدعم الكامل.'
    assert _said(text, "FIFA") == []
    assert _said("وتابع «فيفا لن يتراجع عن قراره».", "FIFA") == []
    own = "وقال “جون كيري” إنه سيزور المنطقة قريبا."
    assert _said(own, "John Kerry") == [own]
    closing_mark = "وقال رئيس النادي الأرجنتيني :” مورا لم يوقع على أي شيء مع النصر ”."  # ” opening after a colon
    named = "وانتقل المهاجم رودريجو مورا إلى النصر قبل شهرين."
    assert _said(named + " " + closing_mark, "رودريجو مورا") == []


def test_what_the_speaker_announced_with_the_verb_taking_a_pronoun() -> None:
    """'ما أعلنه عون', 'حسب ما ذكره الوزير': a reporting verb with its object pronoun, then its subject."""
    opening = "والتقى النائب ميشال عون وفدا من الحزب."
    text = "وبدا لافتا ما أعلنه عون يوم أمس في حديث إلى وكالة الأنباء عن أن «إسقاط الحكومة ليس من الأهداف»."
    assert _said(opening + " " + text, "ميشال عون") == [text]
    other = "وكان عون قد زار الوزارة، وفق ما قاله مصدر مطلع."
    assert _said(opening + " " + other, "ميشال عون") == []


def test_a_last_name_alone_counts_only_where_the_article_writes_the_whole_name() -> None:
    """'المخرج' is also 'the director': an article that has 'محمد' somewhere and 'المخرج' elsewhere
    ('وقال المخرج خالد يوسف') does not name the mayor 'محمد المخرج'; one that writes the name whole,
    a chain of fathers' names allowed inside it, does."""
    speaker = "أمين محافظة الطائف المهندس محمد المخرج"
    other = "وحضر اللقاء الدكتور محمد العلي. وقال المخرج خالد يوسف إن القرار جاء متأخرا."
    assert _said(other, speaker) == []
    own = "وقال المهندس محمد بن عبدالرحمن المخرج إن المتنزه يضم ساحات. وذكر المهندس المخرج أن الأمانة ستدعم التشجير."
    assert _said(own, speaker) == own.split(" وذكر")[:1] + ["وذكر" + own.split(" وذكر")[1]]


def test_the_questions_title_names_the_speaker_in_an_article_that_names_him() -> None:
    """'أمين محافظة الطائف المهندس محمد المخرج': where the article names him, 'وقال أمين محافظة الطائف'
    is him; where it does not, the title alone is not looked for."""
    speaker = "أمين محافظة الطائف المهندس محمد المخرج"
    named = "وذكر المهندس محمد المخرج أن الأمانة ستدعم التشجير."
    titled = "وقال أمين محافظة الطائف إن المشروع يضم مركزا تجاريا."
    assert _said(named + " " + titled, speaker) == [named, titled]
    assert _said(titled, speaker) == []
    assert len(SpeakerMatch.of("وزير الحج الدكتور بندر حجار").title) == 2  # "الدكتور" is a rank, not the title


def test_the_spokesman_named_after_a_bodys_name_speaks_for_it() -> None:
    """'المتحدث الرسمي باسم وزارة الخارجية المصرية السفير بدر عبدالعاطي' ... 'ولفت السفير بدر عبدالعاطي'."""
    first = "وشدد المتحدث الرسمي باسم وزارة الخارجية المصرية السفير بدر عبدالعاطي على تضامن مصر مع أشقائها."
    later = "ولفت السفير بدر عبدالعاطي الانتباه إلى أهمية الاستقرار، مطالبا بضرورة الالتزام بالميثاق."
    assert _said(first + " " + later, "وزارة الخارجية المصرية") == [first, later]


def test_a_title_under_another_title_or_addressed_is_someone_elses() -> None:
    """'نائب رئيس الوزراء التركي' is the deputy, 'مستشار أمير منطقة مكة' the emir's adviser, 'قولها لرئيس
    الوزراء' says it to him; an article writing the name misspelt after the question's title ('رئيس
    الوزراء التركي أحمد داود أغولو') still names him."""
    speaker = "رئيس الوزراء التركي أحمد داود أوغلو"
    named = "وأعلن رئيس الوزراء التركي أحمد داود أغولو أن الشرطة اعتقلت مشتبهين."
    deputy = "من جهته، قال نائب رئيس الوزراء التركي نعمان كورتولموش إن الجرحى في المستشفيات."
    told = "ونقل المتحدث عن ميركل قولها لرئيس الوزراء التركي إنه ينبغي الحفاظ على عملية السلام."
    later = "وأعلن أوغلو أمس جلسة استثنائية للحكومة."
    assert _said(" ".join([named, deputy, told, later]), speaker) == [named, later]
    adviser = "وأوضح مستشار أمير منطقة مكة المكرمة الدكتور هشام الفالح أن النقل نجح."
    assert _said("وزار الأمير خالد الفيصل الموقع. " + adviser, "أمير منطقة مكة المكرمة الأمير خالد الفيصل") == []


def test_an_english_speakers_arabic_spelling_is_part_of_their_name() -> None:
    """'وكان ديمتري بيسكوف الناطق الرسمي باسم الكرملين أعلن': the title after the name is his, for a
    question in English as for one in Arabic ('بيسكوف' owns no noun here: it is his name)."""
    text = "وكان ديمتري بيسكوف الناطق الرسمي باسم الكرملين أعلن من جانبه عن عدم مشروعية طرد الصحافية."
    assert _said(text, "Kremlin spokesman Dmitry Peskov") == [text] == _said(text, "ديمتري بيسكوف")


def test_a_title_after_a_name_after_a_preposition_is_no_subject() -> None:
    """'اتصالا هاتفيا مع احمد داود اوغلو رئيس الوزراء التركي وطالب': the one called, not the one who
    asked; 'وجاء في بيان للمكتب الإعلامي لرئيس الوزراء التركي أحمد داود أوغلو، أن': his office's statement."""
    speaker = "رئيس الوزراء التركي أحمد داود أوغلو"
    called = "وقال المصدر إن بارزاني أجرى اتصالا هاتفيا مع احمد داود اوغلو رئيس الوزراء التركي وطالب بوقف القصف."
    assert _said(called, speaker) == []
    office = "وجاء في بيان للمكتب الإعلامي لرئيس الوزراء التركي أحمد داود أوغلو، أن الطائرات قصفت مواقع."
    assert _said(office, speaker) == [office]
    quoted = "كما نقلت وكالات أنباء إيرانية عن حسين أمير عبد اللهيان قوله: إن طهران تعتبر أمن المنطقة أمنها."
    assert _said(quoted, "نائب وزير الخارجية الإيراني حسين أمير عبد اللهيان") == [quoted]


def test_a_name_told_or_accompanied_after_the_subject_is_not_the_speaker() -> None:
    """'قال الرئيس الروسي فلاديمير بوتين لرئيس الوزراء الإسرائيلي بنيامين نتنياهو إن …': Putin speaks;
    'وقال الجيش لصحفيين يرافقون وزير الدفاع الأمريكي آشتون كارتر إن …': the army does."""
    told = "في غضون ذلك، قال الرئيس الروسي فلاديمير بوتين لرئيس الوزراء الإسرائيلي بنيامين نتنياهو اليوم، إن الاتفاق سيحسن الأمن."
    assert _said(told, "Israeli Prime Minister Benjamin Netanyahu") == []
    army = "وقال الجيش لصحفيين يرافقون وزير الدفاع الأمريكي آشتون كارتر في زيارته لأربيل إن الضربة هي أحدث الضربات."
    assert _said(army, "US Defense Secretary Ashton Carter") == []


def test_the_opening_verbs_subject_speaks_through_a_coordinated_verb_later() -> None:
    """'وقدر المهندس محمد المخرج الاهتمام والدعم …، وأكد أن …': the subject of the opening verb goes
    on to state something."""
    text = "وقدر المهندس محمد المخرج الاهتمام والدعم من الوزير حينما كان وزيرا، وأكد أن الوزير أولى المشروع جل العناية."
    assert _said(text, "أمين محافظة الطائف المهندس محمد المخرج") == [text]
    other = "وزار المهندس محمد المخرج الموقع مع الوزير، وأكد أن العمل يسير وفق الخطة."
    assert _said(other, "الوزير سعيد العمري") == []


def test_a_ministry_asked_in_english_by_its_portfolio() -> None:
    """'the US Justice Department' is 'وزارة العدل الأمريكية' (the portfolios table, both word orders)."""
    for question in ("What did the US Justice Department say?", "What has the US Department of Justice said?"):
        ask = statement_ask(question, "en")
        assert ask is not None and not ask.match.empty, question
    said = "من جانبها قالت وزارة العدل الأميركية الجمعة إن بولارد لابد وأن يقضي كامل عقوبته."
    assert _said(said, "the US Justice Department") == [said]
    assert statement_ask("What did the Justice Department say?", "en") is not None  # one of several words: looked for whole


def test_an_international_body_asked_by_its_acronym() -> None:
    """'What did UNICEF say?': 'منظمة الأمم المتحدة للطفولة' or 'اليونيسيف', no nationality needed."""
    ask = statement_ask("What did UNICEF say?", "en")
    assert ask is not None and ask.match.body and not ask.match.latin
    said = 'وقال بيان صادر عن منظمة الأمم المتحدة للطفولة "يونيسيف" إن القتال تسبب في إغلاق 3600 مدرسة.'
    assert _said(said, "UNICEF") == [said]
    report = "وكانت منظمة الأمم المتحدة للطفولة (اليونيسيف) اكدت في تقرير لها أن سوء المعاملة بقي مستمرا."
    assert _said(report, "UNICEF") == [report]


def test_that_came_during_a_visit_where_he_praised_is_the_speaker_going_on() -> None:
    """'جاء ذلك خلال زيارة سموه …، حيث أشاد بما …' tells where the last speaker spoke, and what else he
    said; 'وقال سموه' after it goes on with him."""
    first = "دعا الأمير جلوي بن عبدالعزيز بن مساعد أمير منطقة نجران إلى برامج تحفز الشباب."
    came = "جاء ذلك خلال زيارة سموه للقصر التاريخي أمس، حيث أشاد بما يحظى به من العناية."
    then = "وقال سموه «إن القصر يوثق مرحلة مهمة»."
    assert _said(" ".join([first, came, then]), "أمير منطقة نجران الأمير جلوي بن عبدالعزيز بن مساعد") == [first, came, then]
    other = "جاء ذلك في وقت أكد فيه وزير الخارجية الإيراني أن المفاوضات مستمرة."
    assert _said(" ".join([first, other]), "أمير منطقة نجران الأمير جلوي بن عبدالعزيز بن مساعد") == [first]
