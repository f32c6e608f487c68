"""loyalty's background loops on the shared ``Poller``, beside the expiry sweeper and the
outbox relay."""

from loyalty.use_cases.offer_rollouts import RolloutRunner
from rapport.workers import Poller


class RolloutWorker(Poller):
    """Runs offer roll-outs a page at a time; woken when an offer is saved."""

    def __init__(self, runner: RolloutRunner, *, interval_s: float = 2.0) -> None:
        super().__init__(interval_s)
        self.runner = runner

    async def step(self) -> bool:
        return await self.runner.advance() is not None
