"""A hostile web site for crawler tests: every way a source can go wrong, on 127.0.0.1."""

from __future__ import annotations

import gzip
import os
from functools import lru_cache

from app.site_server import SiteHandler, SiteServer

ARABIC_ARTICLE = (
    "<html><head><meta http-equiv='Content-Type' content='text/html; charset=windows-1256'>"
    "<title>ضبط شحنة أسلحة في ميناء الحديدة</title></head><body><article><h1>ضبط شحنة أسلحة في ميناء الحديدة</h1>"
    "<p>أعلنت السلطات اليوم أنها ضبطت شحنة تضم بنادق كلاشنكوف وقذائف هاون كانت مخبأة داخل حاويات تحمل أكياس الأرز. "
    "وقال مسؤول في الميناء إن الحاويات وصلت على متن سفينة تجارية قادمة من ميناء آخر في المنطقة، "
    "وإن فرق التفتيش عثرت على أرقام تسلسلية ممسوحة على عدد من البنادق. وأضاف أن التحقيق ما زال جاريا "
    "لمعرفة الجهة التي كانت ستتسلم الشحنة، وأن نتائج الفحص الأولي ستنشر خلال الأسابيع المقبلة.</p></article></body></html>"
)
RUSSIAN_ARTICLE = (
    "<html><head><meta charset='koi8-r'><title>Партия оружия задержана на границе</title></head><body><article>"
    "<h1>Партия оружия задержана на границе</h1><p>Пограничники сообщили, что в грузовике с запасными частями "
    "были обнаружены автоматы Калашникова и патроны к ним. По словам представителя службы, водитель утверждал, "
    "что не знал о содержимом кузова. Следствие проверяет маркировку на ящиках и серийные номера оружия, "
    "чтобы установить, где и когда оно было произведено и кому предназначалось.</p></article></body></html>"
)
GOOD_ARTICLE = (
    "<html lang='en'><head><title>Seized rifles traced to a 1990s contract</title></head><body><nav>Home | News</nav>"
    "<article><h1>Seized rifles traced to a 1990s contract</h1><p>Investigators examining rifles recovered after the "
    "clashes said the serial numbers matched a batch delivered to a national army decades ago. The weapons, Type 56 "
    "assault rifles and several RPG-7 launchers, were found in a depot abandoned by fighters of the Islamic State. "
    "A researcher who documented the markings said the find shows how old stockpiles keep circulating long after "
    "the wars for which they were bought have ended.</p></article><footer>Contact us</footer></body></html>"
)
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss version="2.0"><channel><title>&lol3;</title><item><title>&lol3;</title><link>{{BASE}}/good.html</link></item></channel></rss>"""


@lru_cache(maxsize=1)
def _gzip_bomb() -> bytes:
    return gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)


def _html(body: str | bytes, charset: str | None = "utf-8", status: int = 200):
    content_type = f"text/html; charset={charset}" if charset else "text/html"
    return lambda handler: (
        status,
        {"Content-Type": content_type},
        body if isinstance(body, bytes) else body.encode(charset or "utf-8"),
    )


def _redirect(target: str):
    return lambda handler: (302, {"Location": target, "Content-Type": "text/plain"}, b"")


def _oversized(handler: SiteHandler):
    return 200, {"Content-Type": "text/html", "Content-Length": str(64 * 1024 * 1024)}, b"<html>" + b"x" * 65536


def _feed(body: bytes):
    return lambda handler: (
        200,
        {"Content-Type": "application/rss+xml"},
        body.replace(b"{{BASE}}", handler.server.base_url.encode()),
    )


def hostile_site() -> SiteServer:
    routes = {
        "/good.html": _html(GOOD_ARTICLE),
        "/status/404": _html("<html><body>gone</body></html>", status=404),
        "/status/500": _html("<html><body>broken</body></html>", status=500),
        "/loop/a": _redirect("/loop/b"),
        "/loop/b": _redirect("/loop/a"),
        "/to-private": _redirect("http://169.254.169.254/latest/meta-data/"),
        "/oversized": _oversized,
        "/gzip-bomb": lambda h: (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, _gzip_bomb()),
        "/arabic-cp1256.html": _html(ARABIC_ARTICLE.encode("cp1256"), charset="windows-1256"),
        "/russian-koi8.html": _html(RUSSIAN_ARTICLE.encode("koi8_r"), charset=None),
        "/binary.html": lambda h: (200, {"Content-Type": "text/html"}, bytes(range(256)) * 64 + os.urandom(4096)),
        "/empty.html": _html(""),
        "/broken.pdf": lambda h: (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n1 0 obj <<\n%%garbage\x00\x01"),
        "/feeds/malformed.xml": _feed(b"<?xml version='1.0'?><rss><channel><item><title>unterminated"),
        "/feeds/bomb.xml": _feed(BILLION_LAUGHS),
        "/robots.txt": lambda h: (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"),
        "/private/report.html": _html(GOOD_ARTICLE),
    }
    return SiteServer(routes=routes)
