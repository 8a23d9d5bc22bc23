"""Language identification: langdetect decides, the page's declared language is a hint.

Rules (deterministic: a private, seeded langdetect factory, so results never vary between runs
and the global `langdetect.DetectorFactory` is left alone):

* Fewer than `MIN_LETTERS` letters -> "und", confidence 0.0, method "too_short", whatever
  the hint says (a declared language alone is not evidence about the text).
* Only the first `SAMPLE_CHARS` characters are examined, which bounds the time on huge texts.
* Top candidate probability >= `CONFIDENT` -> that language, method "langdetect".
* Otherwise, when the hint is among the candidates with probability >= `HINT_SUPPORT`, the hint
  wins, method "langdetect+hint", with the hint's probability as confidence.
* Otherwise the top candidate if its probability >= `PLAUSIBLE` (method "langdetect"),
  else "und" with method "uncertain".

Codes are ISO 639-1 primary subtags ("zh-cn" -> "zh", "pt_BR" -> "pt").
"""

from __future__ import annotations

import threading
from itertools import islice

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from extractors.language_ngrams import FastDetector
from extractors.result import LanguageResult

UNDETERMINED = "und"
MIN_LETTERS = 20
SAMPLE_CHARS = 2_000  # ~300 words decide reliably; langdetect cost grows with the sample
CONFIDENT = 0.80
HINT_SUPPORT = 0.20
PLAUSIBLE = 0.50
SEED = 0

_factory: DetectorFactory | None = None
_factory_lock = threading.Lock()


def normalize_language(tag: str | None) -> str | None:
    """ "en-US", "fr_FR", "zh-cn" -> "en", "fr", "zh"; None for blanks and non-alphabetic junk."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    if not primary.isascii() or not primary.isalpha() or not 2 <= len(primary) <= 3:
        return None
    return primary


def detect_language(text: str, hint: str | None = None) -> LanguageResult:
    sample = text[:SAMPLE_CHARS]
    if len(list(islice(filter(str.isalpha, sample), MIN_LETTERS))) < MIN_LETTERS:  # stops at enough
        return LanguageResult(language=UNDETERMINED, confidence=0.0, method="too_short")
    candidates = _candidates(sample)
    if not candidates:
        return LanguageResult(language=UNDETERMINED, confidence=0.0, method="uncertain")
    best, best_prob = candidates[0]
    if best_prob >= CONFIDENT:
        return LanguageResult(language=best, confidence=best_prob, method="langdetect")
    hinted = normalize_language(hint)
    for language, prob in candidates:
        if language == hinted and prob >= HINT_SUPPORT:
            return LanguageResult(language=language, confidence=prob, method="langdetect+hint")
    if best_prob >= PLAUSIBLE:
        return LanguageResult(language=best, confidence=best_prob, method="langdetect")
    return LanguageResult(language=UNDETERMINED, confidence=best_prob, method="uncertain")


def _candidates(sample: str) -> list[tuple[str, float]]:
    detector = FastDetector(_detector_factory())  # langdetect's Detector, faster, same results
    detector.set_max_text_length(SAMPLE_CHARS)
    detector.append(sample)
    try:
        ranked = detector.get_probabilities()
    except LangDetectException:  # no usable n-grams (digits, symbols)
        return []
    merged: dict[str, float] = {}
    for item in ranked:
        code = normalize_language(item.lang) or UNDETERMINED
        merged[code] = merged.get(code, 0.0) + item.prob  # zh-cn + zh-tw -> zh
    return sorted(((code, min(prob, 1.0)) for code, prob in merged.items()), key=lambda kv: -kv[1])


def _detector_factory() -> DetectorFactory:
    global _factory
    with _factory_lock:
        if _factory is None:
            factory = DetectorFactory()
            factory.load_profile(PROFILES_DIRECTORY)
            factory.set_seed(SEED)
            _factory = factory
    return _factory
