"""Deterministic synthetic documents for benchmarks: arms-trade news in bulk.

Word frequencies follow a Zipf curve over function words, domain and general news words and a
long tail of invented names, so posting lists look like a real corpus; entity sets are drawn
from plausible values and the weapon names also appear in the text. Same (n, seed, words)
-> same documents, on every machine.

    from benchmarks.corpus import generate_documents, sample_queries
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from itertools import accumulate

from index.document import Document

FUNCTION_WORDS = (
    "the of and to in a that for on was with by as said at from is were had has it its be an "
    "which have are this after their been who not they but two also more than other into over "
    "about last one would he three under while where them there could some all new against"
).split()
DOMAIN_WORDS = (
    "rifles weapons arms ammunition shipment seized seizure smuggling border customs port cargo "
    "container militia rebels forces army police officials ministry embargo sanctions transfer "
    "transfers delivery deliveries launchers rockets grenades mortars pistols machine guns rounds "
    "cartridges explosives drones missiles artillery vehicles armoured trafficking traffickers "
    "network brokers broker dealers contract licence export exports import imports stockpile "
    "stockpiles diversion diverted convoy trucks airport flight aircraft vessel ship harbour "
    "warehouse cache raid arrested suspects investigation court trial prosecutors report panel "
    "experts monitoring serial numbers markings factory manufacturer calibre military security "
    "soldiers troops fighters insurgents attack clashes conflict ceasefire peacekeepers mission "
    "government authorities intelligence agency investigators documents records certificate "
    "end-user falsified shell company payment cash bank routes route coast desert crossing "
    "checkpoint inspection x-ray declared undeclared consignment tonnes boxes crates illegal"
).split()
GENERAL_WORDS = (
    "year week month day region country city capital north south east west central province "
    "district village town people group groups local national international regional public "
    "statement told according news sources source reported reports say says added noted people "
    "minister president spokesman spokeswoman commander leader members member office department "
    "agreement deal talks meeting visit plan plans support aid economic political election "
    "water food fuel market prices trade business companies company workers farmers families "
    "children women men health schools roads bridge rain season weather river lake mountains "
    "early late recent previous following several many few dozens hundreds thousands million "
    "first second third major small large old young long short high low near across between "
    "during before since until within without despite however because although later again"
).split()
SYLLABLES = "ka ra mo ba li su ne to vi da ze po gu fa re shi an el or ul ir ta ko mi sa ha".split()

WEAPONS = {  # canonical name -> (category, origin)
    "AK-47": ("assault rifle", "Soviet Union"), "AKM": ("assault rifle", "Soviet Union"),
    "Type 56": ("assault rifle", "China"), "M16": ("assault rifle", "United States"),
    "G3": ("battle rifle", "Germany"), "FN FAL": ("battle rifle", "Belgium"),
    "PKM": ("machine gun", "Soviet Union"), "DShK": ("heavy machine gun", "Soviet Union"),
    "RPG-7": ("rocket launcher", "Soviet Union"), "SPG-9": ("recoilless gun", "Soviet Union"),
    "Kornet": ("anti-tank missile", "Russia"), "Konkurs": ("anti-tank missile", "Soviet Union"),
    "Igla": ("MANPADS", "Soviet Union"), "Strela-2": ("MANPADS", "Soviet Union"),
    "Glock 17": ("pistol", "Austria"), "Makarov": ("pistol", "Soviet Union"),
    "Browning Hi-Power": ("pistol", "Belgium"), "M2 Browning": ("heavy machine gun", "United States"),
    "Zastava M70": ("assault rifle", "Yugoslavia"), "Dragunov": ("sniper rifle", "Soviet Union"),
    "Bayraktar TB2": ("combat drone", "Turkey"), "Mohajer-6": ("combat drone", "Iran"),
    "BM-21 Grad": ("rocket artillery", "Soviet Union"), "M60": ("machine gun", "United States"),
    "HK33": ("assault rifle", "Germany"), "Galil": ("assault rifle", "Israel"),
    "Type 81": ("assault rifle", "China"), "QLZ-87": ("grenade launcher", "China"),
    "Milan": ("anti-tank missile", "France"), "Carl Gustaf": ("recoilless rifle", "Sweden"),
}
COUNTRIES = (
    "Sudan|South Sudan|Libya|Chad|Niger|Mali|Burkina Faso|Nigeria|Cameroon|Somalia|Ethiopia|Kenya|"
    "Uganda|Yemen|Syria|Iraq|Lebanon|Ukraine|Russia|Belarus|Serbia|Bosnia and Herzegovina|"
    "Bulgaria|Romania|Turkey|Iran|Afghanistan|Pakistan|Myanmar|Colombia|Mexico|Venezuela|Haiti|"
    "Brazil|United States|United Kingdom|France|Germany|Belgium|China|Israel|Egypt|Algeria|Tunisia|"
    "Morocco|Mozambique|DR Congo|Central African Republic|Eritrea|Djibouti|Oman|United Arab Emirates"
).split("|")
ARMED_GROUPS = (
    "Rapid Support Forces|al-Shabaab|JNIM|Islamic State|Houthis|Hezbollah|Wagner Group|"
    "Boko Haram|ISWAP|FARC dissidents|ELN|Sinaloa Cartel|CJNG|Gran Grif|Arakan Army|"
    "Tatmadaw|M23|ADF|Ambazonia Defence Forces|PKK|HTS|Popular Mobilization Forces"
).split("|")
GENERIC_ACTORS = "customs authority|border police|coast guard|UN panel of experts|defence ministry|arms broker|shipping company".split("|")
HISTORICAL_STATES = ("Soviet Union", "Yugoslavia", "Czechoslovakia", "East Germany")
LANGUAGES = (("en", 70), ("fr", 10), ("ar", 8), ("ru", 7), ("es", 5))
KINDS = (("page", 70), ("feed", 20), ("document", 10))
WATCHLISTS = ("sahel", "horn-of-africa", "levant", "black-sea", "latin-america", "forums")
TAGS = ("seizure", "transfer", "embargo", "court", "tracing", "marketplace", "investigation")
START = datetime(2014, 1, 1, tzinfo=timezone.utc)
SPAN_SECONDS = int((datetime(2025, 12, 31, tzinfo=timezone.utc) - START).total_seconds())


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    middle = DOMAIN_WORDS + GENERAL_WORDS
    rng.shuffle(middle)
    tail = sorted({"".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(12000)})
    rng.shuffle(tail)
    words = FUNCTION_WORDS + middle + tail
    weights = [1.0 / (rank + 2.7) ** 1.1 for rank in range(len(words))]
    return words, list(accumulate(weights))


def _weighted(pairs: tuple[tuple[str, int], ...]) -> tuple[list[str], list[int]]:
    return [value for value, _ in pairs], list(accumulate(weight for _, weight in pairs))


def generate_documents(n: int, seed: int = 0, words: int = 600) -> Iterator[Document]:
    """`n` synthetic Documents of about `words` words each, deterministic for a seed."""
    rng = random.Random(seed)
    vocabulary, cumulative = _vocabulary(rng)
    middle_words = DOMAIN_WORDS + GENERAL_WORDS  # titles use no function words and no invented names
    weapon_names = list(WEAPONS)
    languages, language_weights = _weighted(LANGUAGES)
    kinds, kind_weights = _weighted(KINDS)
    sources = [f"source-{number:03d}" for number in range(200)]
    stories: list[tuple[str, str]] = []  # (story_id, title) of recent stories, for syndicated copies
    for number in range(n):
        weapons = rng.sample(weapon_names, rng.choice((0, 1, 1, 2, 3)))
        doc_countries = rng.sample(COUNTRIES, rng.randint(1, 4))
        mentions = weapons + doc_countries
        body = rng.choices(vocabulary, cum_weights=cumulative, k=words)
        for mention in mentions:  # entities appear in the text, as in real articles
            body[rng.randrange(words)] = mention
        sentences, position = [], 0
        while position < words:
            length = rng.randint(8, 24)
            sentence = " ".join(body[position:position + length])
            sentences.append(sentence[:1].upper() + sentence[1:] + ".")
            position += length
        title_words = rng.choices(vocabulary[len(FUNCTION_WORDS):len(FUNCTION_WORDS) + len(middle_words)], k=rng.randint(5, 10))
        title = " ".join([*(weapons[:1] or doc_countries[:1]), *title_words])
        story_id = None
        if stories and rng.random() < 0.15:
            story_id, title = rng.choice(stories)
        elif rng.random() < 0.1:
            story_id = f"story-{number}"
            stories = [*stories[-50:], (story_id, title)]
        published = None if rng.random() < 0.03 else START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
        origins = sorted({WEAPONS[name][1] for name in weapons})
        yield Document.new(
            f"https://news{number % 97}.example.org/articles/{seed}/{number}",
            source_id=rng.choice(sources),
            watchlist=rng.choice(WATCHLISTS),
            kind=rng.choices(kinds, cum_weights=kind_weights)[0],
            tags=rng.sample(TAGS, rng.randint(0, 2)),
            title=title,
            text=" ".join(sentences),
            language=rng.choices(languages, cum_weights=language_weights)[0],
            published=published,
            fetched=(published or START) + timedelta(hours=6),  # not the wall clock: same seed, same documents
            story_id=story_id,
            weapons=weapons,
            weapon_categories=sorted({WEAPONS[name][0] for name in weapons}),
            weapon_origins=origins,
            countries=doc_countries,
            historical_states=[state for state in origins if state in HISTORICAL_STATES],
            armed_groups=rng.sample(ARMED_GROUPS, rng.choice((0, 0, 1, 1, 2))),
            generic_actors=rng.sample(GENERIC_ACTORS, rng.randint(0, 2)),
        )


def sample_queries(count: int, seed: int = 0) -> list[str]:
    """Typical analyst queries: two domain words, as typed into the search box."""
    rng = random.Random(seed)
    return [" ".join(rng.sample(DOMAIN_WORDS, 2)) for _ in range(count)]
