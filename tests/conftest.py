import os
import threading
from collections.abc import Callable

import pytest
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


def _run_in_threads(work: Callable[[int], None], n: int = 8) -> list[BaseException]:
    """Run ``work(t)`` for t in 0..n-1, each in its own thread, started
    together; return the exceptions they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(n)

    def run(t: int) -> None:
        try:
            start.wait()
            work(t)
        except BaseException as exc:  # noqa: BLE001 - returned to the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return errors


@pytest.fixture
def in_threads() -> Callable[..., list[BaseException]]:
    """The thread harness: ``in_threads(work, n=8)`` runs ``work(t)`` in *n*
    threads at once and returns the exceptions raised."""
    return _run_in_threads
