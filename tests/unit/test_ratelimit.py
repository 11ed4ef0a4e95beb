"""The limits engine: a limit counts per key, says how long to wait, and survives its Redis going away."""

import pytest

from referrals.web.ratelimit import Limiters, parse_rate


def test_a_limit_counts_each_key_apart_and_says_how_long_to_wait():
    limit = Limiters().limit("test", "2/minute")

    assert [limit.take("a"), limit.take("a"), limit.take("b")] == [0, 0, 0]
    wait = limit.take("a")

    assert 1 <= wait <= 60 and limit.count("a") == 2
    limit.clear("a")
    assert limit.take("a") == 0


def test_when_redis_is_unreachable_the_limits_count_in_memory_instead(caplog):
    limit = Limiters("redis://127.0.0.1:1/0", prefix="unreachable").limit("test", "1/minute")

    assert limit.take("a") == 0
    assert limit.take("a") >= 1
    assert "counting in this process's memory" in caplog.text


def test_a_rate_that_is_not_one_is_refused():
    with pytest.raises(ValueError, match="like 10/minute"):
        parse_rate("often")
