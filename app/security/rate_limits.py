"""Per-partner rate limits with the ``limits`` library, its storage in the worker's own memory:
each worker counts its own requests (``LLR_RATE_LIMIT`` is per partner and per worker). A partner
over its limit is answered 429 ``tooManyRequests`` with ``Retry-After``."""

import math
import time
from dataclasses import dataclass, field

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


@dataclass
class PartnerRateLimits:
    """``rate``: a ``limits`` expression, ``"6000/minute"``; empty: no limit."""

    rate: str
    _item: RateLimitItem | None = field(init=False, default=None)
    _limiter: MovingWindowRateLimiter = field(
        init=False, default_factory=lambda: MovingWindowRateLimiter(MemoryStorage())
    )

    def __post_init__(self) -> None:
        self._item = parse(self.rate) if self.rate.strip() else None

    def retry_after(self, partner: str) -> int | None:
        """Counts one request of ``partner``: ``None`` if it may go on, else the seconds after
        which it may try again."""
        if self._item is None or self._limiter.hit(self._item, partner):
            return None
        reset = self._limiter.get_window_stats(self._item, partner).reset_time
        return max(1, math.ceil(reset - time.time()))
