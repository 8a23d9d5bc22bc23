"""Country names for people: the index stores ISO 3166 alpha-2 codes ("SY"), readers see
"Syria (SY)". One helper for every place that shows a country (graph exports, the web pages)."""

from __future__ import annotations

from functools import cache

import pycountry


@cache
def country_label(value: str) -> str:
    """ "SY" -> "Syria (SY)"; a name pycountry knows gets its code ("Kenya" -> "Kenya (KE)");
    anything else stays as it is."""
    try:
        country = pycountry.countries.get(alpha_2=value) if len(value) == 2 else pycountry.countries.lookup(value)
    except LookupError:
        country = None
    if country is None:
        return value
    name = value if len(value) != 2 else getattr(country, "common_name", country.name)
    return f"{name} ({country.alpha_2})"
