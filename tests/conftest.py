"""Shared test settings: hypothesis profiles and a headless matplotlib."""
import os

import matplotlib
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

# CI machines are slow and shared: no per-example deadline there.
settings.register_profile("default", max_examples=int(os.environ.get("NNKIT_EXAMPLES", 40)), deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=40, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "default")
