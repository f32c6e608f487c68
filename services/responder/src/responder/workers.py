"""responder's background loops, each on the shared ``Poller``: the reply sender and the SLA
scanner (due times are stored on the cases, so a restart loses none)."""

from rapport.workers import Poller
from responder.ports import Connector, Ports, ReplyStore
from responder.use_cases.reply_delivery import Retries, send_next
from responder.use_cases.sla_breaches import scan


class ReplySender(Poller):
    def __init__(
        self,
        ports: Ports,
        replies: ReplyStore,
        connector: Connector,
        retries: Retries,
        *,
        poll_s: float,
    ) -> None:
        super().__init__(poll_s)
        self._ports = ports
        self._replies = replies
        self._connector = connector
        self._retries = retries

    async def step(self) -> bool:
        return await self.send_next()

    async def send_next(self) -> bool:
        """Deliver the next due reply, if any; whether there was one."""
        return await send_next(self._ports, self._replies, self._connector, self._retries)


class Scanner(Poller):
    def __init__(self, ports: Ports, *, interval_s: float, batch: int, auto_assign: bool) -> None:
        super().__init__(interval_s)
        self._ports = ports
        self._batch = batch
        self._auto_assign = auto_assign

    async def step(self) -> bool:
        await scan(self._ports, batch=self._batch, auto_assign=self._auto_assign)
        return False
