"""Hypothesis profiles for the property tests.

* `ci` (chosen when CI=true, as .ci/run sets it): derandomized, so a CI run explores the same
  examples every time and a failure reproduces from the log alone.
* `dev` (otherwise): random examples, a new sample each run.

Neither keeps an example database: a run is reproduced from the example (under CI, the blob)
printed with its failure, not from local state that CI would not have, and a bug a property test
found once becomes an `@example` next to it. Hypothesis's per-example deadline is off: it measures
wall time, which a loaded 2-core machine stretches; each test bounds the CPU time of its own calls
instead (tests/properties/bounds.py). `HYPOTHESIS_PROFILE` picks a profile explicitly.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {"database": None, "deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("ci", derandomize=True, print_blob=True, **_COMMON)
settings.register_profile("dev", **_COMMON)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI", "").lower() == "true" else "dev")
)
