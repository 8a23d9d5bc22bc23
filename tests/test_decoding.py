"""Bytes -> str: declared charsets, detection of undeclared legacy encodings, binary refusal."""

from __future__ import annotations

import pytest

from extractors import ExtractionError
from extractors.charset import guess_encoding, implausibility
from extractors.decoding import decode_body, reject_binary

#: Short headlines: the hard case for detection (long pages are easier).
HEADLINES = [
    ("Задержана партия оружия", "koi8_r"),
    ("задержана партия оружия в порту", "koi8_r"),
    ("Задержана партия оружия в порту, сообщили в таможне.", "cp1251"),
    ("оружие", "cp1251"),
    ("تم ضبط شحنة أسلحة في الميناء", "cp1256"),
    ("أسلحة", "cp1256"),
    ("Les armes saisies à la frontière étaient déclarées comme pièces détachées.", "cp1252"),
    ("Ein Waffenlager wurde in der Nähe der Grenze entdeckt. Größere Mengen Munition.", "cp1252"),
    ("Τα όπλα κατασχέθηκαν στο λιμάνι χθες.", "cp1253"),
    ("武器在港口被查获，警方表示正在调查。", "gb18030"),
    ("武器在港口被查獲，警方表示正在調查。", "big5"),
    ("武器が港で押収された。警察は捜査している。", "shift_jis"),
    ("무기가 항구에서 압수되었다고 경찰이 밝혔다.", "euc_kr"),
    ("อาวุธถูกยึดที่ท่าเรือเมื่อวานนี้", "cp874"),
]


@pytest.mark.parametrize(("text", "encoding"), HEADLINES)
def test_undeclared_legacy_text_decodes_correctly(text: str, encoding: str) -> None:
    body = f"<html><body><h1>{text}</h1></body></html>".encode(encoding)
    decoded = decode_body(body)
    assert text in decoded.text, (encoding, decoded.encoding)


def test_guess_prefers_natural_text() -> None:
    body = "Задержана партия оружия".encode("koi8_r")
    assert guess_encoding(body) == "koi8_r"
    assert implausibility(body.decode("koi8_r")) == 0.0
    assert implausibility(body.decode("cp1251")) > 0.5  # cases swapped
    assert implausibility(body.decode("cp1252")) > 0.5  # runs of accents


def test_declared_charset_wins_when_it_fits() -> None:
    body = "Les armes saisies à la frontière.".encode("cp1252")
    assert decode_body(body, content_type="text/plain; charset=iso-8859-1", html=False).encoding == "cp1252"
    # A page whose meta says UTF-8 but whose bytes are Windows-1256 is detected instead.
    html = '<meta charset="utf-8"><p>تم ضبط شحنة أسلحة في الميناء</p>'
    decoded = decode_body(html.encode("cp1256"))
    assert decoded.encoding == "cp1256" and "شحنة أسلحة" in decoded.text


def test_transport_encoding_beats_meta_declaration() -> None:
    html = '<meta charset="koi8-r"><p>Задержана партия оружия</p>'
    decoded = decode_body(html.encode("cp1251"), encoding="windows-1251")
    assert "Задержана партия оружия" in decoded.text


def test_unknown_declared_charsets_are_ignored() -> None:
    decoded = decode_body("Ünïcödé text".encode(), content_type="text/html; charset=x-no-such-codec", encoding="bogus")
    assert (decoded.encoding, decoded.text) == ("utf-8", "Ünïcödé text")


@pytest.mark.parametrize(
    "body",
    [b"abc\x00def", b"\x89PNG\r\n\x1a\n....", b"PK\x03\x04rest", bytes(range(1, 9)) * 10 + b"text"],
)
def test_reject_binary(body: bytes) -> None:
    with pytest.raises(ExtractionError) as caught:
        reject_binary(body)
    assert caught.value.reason == "binary_content"
    with pytest.raises(ExtractionError) as caught:
        decode_body(b"\xef\xbb\xbf" + body)  # behind a UTF-8 byte-order mark
    assert caught.value.reason == "binary_content"


def test_text_with_tabs_form_feeds_and_escapes_is_not_binary() -> None:
    reject_binary(b"col1\tcol2\r\nnext page\x0c\x1b$B ISO-2022-JP escape\n" * 50)
