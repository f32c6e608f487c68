"""Where loyalty reads the time: injected everywhere, so caps, windows and expiry are testable."""

from collections.abc import Callable
from datetime import datetime

from rapport.clock import utcnow

Clock = Callable[[], datetime]
system_clock: Clock = utcnow
