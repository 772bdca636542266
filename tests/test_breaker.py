"""Circuit breaker with a fake clock."""

from promptimp.breaker import BreakerState, CircuitBreaker


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_five_consecutive_failures_and_retries_after_cooldown():
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=5, cooldown_s=300, clock=clock)
    for _ in range(4):
        breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN and not breaker.allow()
    clock.now += 299
    assert not breaker.allow()
    assert breaker.seconds_until_retry() == 1
    clock.now += 1
    assert breaker.state is BreakerState.HALF_OPEN and breaker.allow()
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.consecutive_failures == 0


def test_a_failed_retry_reopens_for_another_cooldown():
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=2, cooldown_s=10, clock=clock)
    breaker.record_failure()
    breaker.record_failure()
    clock.now += 10
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    assert breaker.seconds_until_retry() == 10


def test_success_resets_the_count():
    breaker = CircuitBreaker(failure_threshold=3, cooldown_s=10, clock=FakeClock())
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED
