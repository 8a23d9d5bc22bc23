"""`FastDetector` gives exactly what langdetect's own `Detector` gives: same text after `append`
and `cleaning_text`, same n-gram list, same probabilities for all 55 languages (compared with ==,
not approximately), on hand-written texts in many scripts, on short texts that take the sampling
loop to its iteration limit and through subnormal numbers, and on seeded random strings."""

from __future__ import annotations

import json
import random
import sys
import unicodedata
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from langdetect.detector import Detector
from langdetect.detector_factory import DetectorFactory
from langdetect.lang_detect_exception import LangDetectException
from langdetect.utils.ngram import NGram

from extractors import detect_language
from extractors.language import MIN_LETTERS, SAMPLE_CHARS, _detector_factory
from extractors.language_ngrams import _NORMALIZED, FastDetector, _normalize

NO_FEATURES = None  # langdetect raises: no known n-gram in the text

#: appended text, cleaned text, n-grams, ranked probabilities, every language's probability
Trace = tuple[str, str, list[str], list[tuple[str, float]] | None, list[float] | None]

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
#: Short or mixed-script texts on which the seeded sampling runs long: several reach langdetect's
#: ITERATION_LIMIT in every trial, and unlikely languages sink to subnormal numbers and to zero.
SLOW_TO_CONVERGE = {
    "one_vowel": "e",
    "two_capitals": "AI",
    "shared_word": "in",
    "name": "Nova",
    "latin_and_cyrillic_letter": "a б",
    "latin_and_cyrillic_words": "ok да",
    "latin_and_greek": "ab αβ",
    "latin_and_hangul": "no 아",
    "latin_and_katakana": "a ア",
    "scripts_word_by_word": "rifle винтовка τουφέκι 步枪 ライフル 소총 بندقية रायफल ปืน רובה",
    "scripts_letter_by_letter": "aбγ dеζ 中ア 아ب",
}
ALL_TEXTS = {**TEXTS, **LONG_TEXTS, **SLOW_TO_CONVERGE}

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


class CountingRandom(random.Random):
    """langdetect's generator, counting the n-grams it samples."""

    samples = 0

    def choice(self, seq: Any) -> Any:
        self.samples += 1
        return super().choice(seq)


Configure = Callable[[Any], object]


def _leave_as_is(detector: Any) -> None:
    pass


def _trace(
    make: Callable[[Any], Detector], text: str, factory: Any = None, configure: Configure = _leave_as_is
) -> Trace:
    """What a detector makes of `text`: appended text, cleaned text, n-grams, probabilities.
    `configure` calls the detector's setters first."""
    detector = make(factory or _detector_factory())
    detector.set_max_text_length(SAMPLE_CHARS)
    configure(detector)
    detector.append(text)
    appended = detector.text
    probabilities: list[tuple[str, float]] | None
    try:
        probabilities = [(item.lang, item.prob) for item in detector.get_probabilities()]
    except LangDetectException:
        probabilities = NO_FEATURES
    return appended, detector.text, detector._extract_ngrams(), probabilities, detector.langprob


def _assert_same_as_langdetect(text: str, factory: Any = None, configure: Configure = _leave_as_is) -> None:
    stock = _trace(Detector, text, factory, configure)
    fast = _trace(FastDetector, text, factory, configure)
    assert fast[:2] == stock[:2], "text after append / cleaning_text"
    assert fast[2] == stock[2], "n-grams"
    assert fast[3] == stock[3], "probabilities"
    assert fast[4] == stock[4], "every language's probability"
    assert fast[4] is None or all(type(prob) is float for prob in fast[4]), "plain floats, as langdetect's"


def _samples_and_smallest(text: str) -> tuple[int, float]:
    """How many n-grams stock langdetect samples for `text`, and the smallest positive
    probability its normalisation ever sees."""
    smallest = [1.0]

    class Watched(Detector):  # type: ignore[misc]
        def _normalize_prob(self, prob: list[float]) -> float:
            smallest[0] = min([smallest[0], *(p for p in prob if p > 0.0)])
            return super()._normalize_prob(prob)  # type: ignore[no-any-return]

    detector = Watched(_detector_factory())
    detector.random = CountingRandom()
    detector.append(text)
    detector.get_probabilities()
    return detector.random.samples, smallest[0]


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
    every_trial_to_the_limit = Detector(_detector_factory()).n_trial * (Detector.ITERATION_LIMIT + 1)
    assert _samples_and_smallest(SLOW_TO_CONVERGE["one_vowel"])[0] == every_trial_to_the_limit
    assert _samples_and_smallest(SLOW_TO_CONVERGE["two_capitals"])[0] == every_trial_to_the_limit
    assert _samples_and_smallest(SLOW_TO_CONVERGE["latin_and_cyrillic_letter"])[1] < sys.float_info.min
    assert _samples_and_smallest(TEXTS["en"])[0] < 500  # the usual case converges early


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


def test_random_short_texts_match_langdetect_exactly() -> None:
    """A word or two in the scripts many languages share (Latin letters, with and without marks,
    and Cyrillic), often mixed: the sampling loop runs long on these, to its limit on some."""
    shared_scripts = [*ALPHABETS[:2], *ALPHABETS[4:9]]
    rng = random.Random(23)
    for _ in range(300):
        alphabets = rng.sample(shared_scripts, rng.randint(1, 3))
        words = ["".join(rng.choice(rng.choice(alphabets)) for _ in range(rng.randint(1, 3))) for _ in range(2)]
        _assert_same_as_langdetect(" ".join(words[: rng.randint(1, 2)]))


@pytest.mark.parametrize("alpha", [-1.0, 0.0, 0.42, 0.43, 0.9, 3.0])
def test_other_smoothing_matches_langdetect_exactly(alpha: float) -> None:
    """`alpha` sets the weight added to every n-gram's probabilities. Up to ~0.4286 a weight can
    be negative, the arrays' shortcuts would not hold (they do not, for 0 and -1) and langdetect's
    own loop runs."""
    for text in (TEXTS["fr"], SLOW_TO_CONVERGE["name"], SLOW_TO_CONVERGE["latin_and_greek"]):
        _assert_same_as_langdetect(text, configure=lambda detector: detector.set_alpha(alpha))


def test_prior_probabilities_match_langdetect_exactly() -> None:
    for text in (TEXTS["es"], SLOW_TO_CONVERGE["shared_word"]):
        _assert_same_as_langdetect(
            text, configure=lambda detector: detector.set_prior_map({"en": 0.5, "nl": 0.3, "af": 0.2})
        )


def test_verbose_detection_prints_what_langdetect_prints(capsys: pytest.CaptureFixture[str]) -> None:
    stock = _trace(Detector, TEXTS["de"], configure=lambda detector: detector.set_verbose())
    printed = capsys.readouterr().out
    assert _trace(FastDetector, TEXTS["de"], configure=lambda detector: detector.set_verbose()) == stock
    assert capsys.readouterr().out == printed and "==>" in printed


def test_normalisation_adds_in_langdetects_order() -> None:
    """Same quotients, same largest, from the same left-to-right sum, which numpy's pairwise
    `sum` would not give on these magnitudes."""
    rng = random.Random(5)
    vectors = [[rng.random() * 10.0 ** rng.randint(-300, 0) for _ in range(55)] for _ in range(500)]
    assert any(float(np.sum(vector)) != sum(vector) for vector in vectors)  # the order matters here
    for vector in vectors:
        expected = list(vector)
        largest = Detector._normalize_prob(None, expected)
        array = np.array(vector)
        assert _normalize(array) == largest
        assert array.tolist() == expected
    with pytest.raises(ZeroDivisionError):  # as langdetect's
        _normalize(np.zeros(55))


def _profile(name: str, counts: dict[str, int]) -> str:
    n_words = [sum(count for gram, count in counts.items() if len(gram) == n) for n in (1, 2, 3)]
    return json.dumps({"name": name, "freq": counts, "n_words": n_words})


def test_a_factory_reloaded_with_other_profiles_is_followed() -> None:
    """`FastDetector` keeps per-factory tables; after `clear()` and a reload they must not be stale."""
    factory = DetectorFactory()
    factory.set_seed(1)
    factory.load_json_profile([_profile("xa", {"a": 9, "b": 1, "ab": 4, " a": 2}), _profile("xb", {"a": 2, "b": 8})])
    _assert_same_as_langdetect("ab ba abba", factory)
    factory.clear()
    factory.load_json_profile(
        [
            _profile("ya", {"a": 1, "b": 9, "ab": 1, " b": 3}),
            _profile("yb", {"a": 5, "b": 5, "ba": 2}),
            _profile("yc", {"a": 7, "b": 3, " a": 2}),
        ]
    )
    _assert_same_as_langdetect("ab ba abba", factory)


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
