"""The write limit's counters: one count per name and window, gone after their time to live."""
from dashboard import cache


def test_local_counters_count_and_expire(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    cache.init("abc")
    assert [cache.incr("rl:x", 60) for _ in range(3)] == [1, 2, 3]
    assert cache.incr("rl:y", 60) == 1  # another name, its own count
    now = [1000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: now[0])
    cache.init("abc")
    cache.incr("rl:z", 5)
    now[0] += 6
    assert cache.incr("rl:z", 5) == 1  # the window has passed


def test_a_new_build_starts_fresh(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    cache.init("build-one")
    cache.incr("rl:k", 60)
    cache.init("build-two")
    assert cache.incr("rl:k", 60) == 1
