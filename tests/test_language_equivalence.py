"""`FastDetector` gives exactly what langdetect's own `Detector` gives: same text after `append`
and `cleaning_text`, same n-gram list, same probabilities (compared with ==, not approximately),
on hand-written texts in many scripts and on a few hundred seeded random strings."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from langdetect.detector import Detector
from langdetect.lang_detect_exception import LangDetectException
from langdetect.utils.ngram import NGram

from extractors import detect_language
from extractors.language import MIN_LETTERS, SAMPLE_CHARS, _detector_factory
from extractors.language_ngrams import _NORMALIZED, FastDetector

NO_FEATURES = None  # langdetect raises: no known n-gram in the text

Trace = tuple[str, str, list[str], list[tuple[str, float]] | None]

VIETNAMESE = "Việt Nam xuất khẩu gạo sang nhiều nước; các nhà máy ở Cần Thơ hoạt động cả đêm."
TEXTS = {
    "en": "Customs officers seized a container of rifles declared as agricultural machine parts.",
    "fr": "Les douaniers ont saisi à Marseille un conteneur de fusils « déclaré » comme pièces.",
    "de": "Die Zollbehörde beschlagnahmte in Hamburg Gewehre, die als Maschinenteile deklariert waren.",
    "es": "¿Quién firmó el contrato? La aduana incautó fusiles declarados como piezas de maquinaria.",
    "ru": "Таможенники изъяли контейнер с винтовками, задекларированный как запасные части.",
    "ar_farsi_yeh": "صادرت سلطات الجمارك حاوية بنادق. این محموله از بندر عباس ارسال شده بود و کشتی",
    "zh": "海关官员在港口查获了一批步枪，这些货物被申报为农业机械零件。調查仍在進行中。",
    "ja": "税関はライフル銃を積んだコンテナを押収した。書類には農業機械の部品と記載されていた。",
    "ko": "세관 당국은 농업 기계 부품으로 신고된 소총 컨테이너를 압수했다고 밝혔다.",
    "vi_nfc": VIETNAMESE,
    "vi_combining": unicodedata.normalize("NFD", VIETNAMESE),
    "ro_comma": "Vameșii au confiscat puști declarate ca piese; țara a cerut explicații în această săptămână.",
    "ro_cedilla": "Vameşii au confiscat puşti declarate ca piese; ţara a cerut explicaţii în această săptămână.",
    "all_caps": "NATO AND THE UN CONDEMNED THE SHIPMENT. The AK-47 and RPG-7 rifles came via the UAE.",
    "url_and_email": (
        "Read https://example.org/report?id=42&lang=en#top or mail press-office@ministry.example.gov "
        "for the full list of seized rifles, see http://x.example/a_b.pdf as well."
    ),
    "digits": "12 345 678 — 2024-03-05 / 17:45 — 3.14159",
    "symbols": "§§ ¶ †‡ •• ※ → ← ↑ ↓ ★ ☆ ♠ ♣ ♥ ♦ ≈ ≠ ≤ ≥ ∞ ∑",
    "whitespace_runs": "Rifles   were\t\tfound \n\n in   the  hold,\u00a0\u00a0 under\u3000\u3000crates   .",
    "mixed_mostly_cyrillic": "Контейнер прибыл в порт Novorossiysk, груз AK-74 был задержан таможней.",
    "mixed_mostly_latin": "The container reached Новороссийск and was held by customs officers there.",
    "latin_specials_in_cyrillic": "[Груз] задержан_таможней `сегодня` ^утром^ в порту [Находка] вчера.",
    "greek": "Οι τελωνειακοί κατάσχεσαν ένα κοντέινερ με τουφέκια στο λιμάνι του Πειραιά.",
    "hebrew": "פקידי המכס תפסו מכולה של רובים שהוצהרו כחלקי מכונות חקלאיות.",
    "hindi": "सीमा शुल्क अधिकारियों ने राइफलों से भरा एक कंटेनर जब्त किया।",
    "thai_unspaced": "เจ้าหน้าที่ศุลกากรยึดตู้คอนเทนเนอร์ที่บรรจุปืนไรเฟิลซึ่งสำแดงว่าเป็นชิ้นส่วนเครื่องจักร",
    "bopomofo_and_emoji": "ㄅㄆㄇㄈ 🚢📦 shipment ㄉㄊㄋㄌ 🔫 rifles 𠀀𠀁 seized",
    "latin1_excluded": "«Rifles» at 40° below «zero» were\u00a0found «in» the hold of the ship.",
    "empty": "",
    "spaces_only": "     ",
}
LONG_TEXTS = {
    "en_long": " ".join([TEXTS["en"]] * 40),  # ~3,500 characters, past SAMPLE_CHARS
    "ru_long_with_urls": " ".join([TEXTS["ru"], "https://example.ru/статья?x=1 ", TEXTS["mixed_mostly_cyrillic"]] * 20),
}
ALL_TEXTS = {**TEXTS, **LONG_TEXTS}

#: Alphabets for random strings: each script langdetect treats specially, and the characters its
#: rules turn on (spaces, upper case, combining marks, URL and e-mail pieces).
ALPHABETS = [
    "abcdefghijklmnopqrstuvwxyz",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "0123456789.,;:!?()[]{}^_`'\"-/\\@#&%+=~",
    "       \t\n",
    "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßÀÉÎÕÜ\u00a0«»°×÷",
    "ăâîșțşţĂÂÎȘȚŞŢđơưĐƠƯ",
    "aeiouyAEIOUYâêôăơưÂÊÔĂƠƯ\u0300\u0301\u0303\u0309\u0323\u0302\u0306",  # Vietnamese, decomposed
    "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹḀḁẞ",
    "абвгдежзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯёЁ",
    "αβγδεζηθικλμνξοπρστυφχψωΑΒΓΔΕΖΗΘ",
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويیکگپچژ",
    "אבגדהוזחטיכלמנסעפצקרשת",
    "कखगघचछजझटठडढणतथदधनपफबभमयरलवशषसह",
    "ぁあいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん",
    "ァアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン",
    "ㄅㄆㄇㄈㄉㄊㄋㄌㄍㄎㄏ",
    "的一是不了人我在有他这中大为上个国以要到时说们出会可也你对就里后生之年着",
    "가나다라마바사아자차카타파하국제세관소총",
    "กขคงจฉชซญดตถทนบปผพฟภมยรลวศษสหอ",
    "\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u2022\u3000",
    "😀🚢📦🔫𠀀𠀁𝐀𝐁",
]
WORDS = ["http://", "https://a.example/", "mail@x.example", "www", ".com", "ОТЧЁТ", "NATO", "Rifle"]


def _trace(make: Callable[[Any], Detector], text: str) -> Trace:
    """What a detector makes of `text`: appended text, cleaned text, n-grams, probabilities."""
    detector = make(_detector_factory())
    detector.set_max_text_length(SAMPLE_CHARS)
    detector.append(text)
    appended = detector.text
    probabilities: list[tuple[str, float]] | None
    try:
        probabilities = [(item.lang, item.prob) for item in detector.get_probabilities()]
    except LangDetectException:
        probabilities = NO_FEATURES
    return appended, detector.text, detector._extract_ngrams(), probabilities


def _assert_same_as_langdetect(text: str) -> None:
    stock = _trace(Detector, text)
    fast = _trace(FastDetector, text)
    assert fast[:2] == stock[:2], "text after append / cleaning_text"
    assert fast[2] == stock[2], "n-grams"
    assert fast[3] == stock[3], "probabilities"


@pytest.mark.parametrize("name", sorted(ALL_TEXTS))
def test_hand_written_texts_match_langdetect_exactly(name: str) -> None:
    text = ALL_TEXTS[name]
    _assert_same_as_langdetect(text)
    _assert_same_as_langdetect(text[:SAMPLE_CHARS])  # what detect_language hands over


def test_texts_exercise_the_interesting_paths() -> None:
    """Guards the fixtures above: they reach each branch the equivalence has to hold on."""
    traces = {name: _trace(Detector, text) for name, text in ALL_TEXTS.items()}
    assert traces["mixed_mostly_cyrillic"][1] != traces["mixed_mostly_cyrillic"][0]  # Latin removed
    assert traces["mixed_mostly_latin"][1] == traces["mixed_mostly_latin"][0]
    assert traces["digits"][3] is NO_FEATURES and traces["empty"][3] is NO_FEATURES
    assert traces["en"][3] is not NO_FEATURES and traces["en"][3][0][0] == "en"
    assert NGram.normalize_vi(TEXTS["vi_combining"]) != TEXTS["vi_combining"]
    assert "@" not in traces["url_and_email"][0] and "http" not in traces["url_and_email"][0]
    assert len(LONG_TEXTS["en_long"]) > SAMPLE_CHARS and len(traces["en_long"][0]) == SAMPLE_CHARS


def test_random_mixed_alphabet_strings_match_langdetect_exactly() -> None:
    rng = random.Random(16)
    for _ in range(300):
        alphabets = rng.sample(ALPHABETS, rng.randint(1, 4))
        pieces = []
        for _ in range(rng.choice([1, 5, 20, 60, 400])):
            if rng.random() < 0.05:
                pieces.append(rng.choice(WORDS))
            else:
                alphabet = rng.choice(alphabets)
                pieces.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))))
            pieces.append(rng.choice([" ", " ", " ", "  ", "", "\n", ". "]))
        _assert_same_as_langdetect("".join(pieces))


def test_character_table_is_ngram_normalize_for_every_code_point() -> None:
    astral = range(0x10000, 0x110000, 97)
    for code_point in [*range(0x10000), *astral]:
        char = chr(code_point)
        assert char.translate(_NORMALIZED) == NGram.normalize(char), hex(code_point)
    assert len(_NORMALIZED) <= 0x10000  # astral characters are not kept


def test_letter_count_threshold_is_unchanged() -> None:
    """detect_language stops counting letters once it has enough; the verdict is the same."""
    letters = "Rifles seized at the port of"  # 23 letters
    almost = "".join(f"{char}1 " for char in letters if char.isalpha())[: 3 * (MIN_LETTERS - 1)]
    assert detect_language(almost).method == "too_short"
    assert detect_language(almost + "d").method != "too_short"
