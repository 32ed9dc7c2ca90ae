import os

from hypothesis import HealthCheck, settings

# "ci": deterministic, no deadline (CI machines are noisy). "dev": quicker,
# random. "thorough": many more examples, for a local soak.
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=60,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
