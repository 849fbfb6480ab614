"""The application: one log for every stream, which projections and the feed follow."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.persistence import JSONTranscoder

from application.alerts import AlertCommands
from application.enterprises import EnterpriseCommands, LogVisit, RegisterEnterprise
from application.feed import FeedEnvelope, envelope
from application.issues import IssueCommands, RaiseDemand, SubmitDirectReport
from application.outreach import LinkSender, LinkSigner, OutreachCommands, RecordingLinkSender
from application.publicity import PublicityCommands
from application.registry import RegistryCommands
from application.transcodings import ActorAsDict, DateAsISO
from domain.policy_catalogue import PolicyCatalogue
from domain.shared import BEIJING_TIME, Clock
from domain.time_limits import WorkingCalendar

__all__ = [
    "LogVisit",
    "RaiseDemand",
    "RegisterEnterprise",
    "ServicePackage",
    "SubmitDirectReport",
    "SystemClock",
]


class SystemClock:
    """Now, in Beijing time: working days begin at midnight in Chongqing, not in UTC."""

    def now(self) -> datetime:
        return datetime.now(tz=BEIJING_TIME)


class ServicePackage(
    OutreachCommands,  # before IssueCommands: its after_closure_approved sends the rating link
    EnterpriseCommands,
    IssueCommands,
    RegistryCommands,
    AlertCommands,
    PublicityCommands,
):
    """企业服务包: enterprise relationships, issues and reference data, in one event log."""

    name = "espcrm"

    def __init__(
        self,
        env: dict[str, str] | None = None,
        clock: Clock | None = None,
        catalogue: PolicyCatalogue | None = None,
        calendar: WorkingCalendar | None = None,
        link_signer: LinkSigner | None = None,
        link_sender: LinkSender | None = None,
    ) -> None:
        super().__init__(env)
        self.clock = clock or SystemClock()
        self.shipped_catalogue = catalogue or PolicyCatalogue()
        if calendar is not None:
            self.calendar = calendar
        self.link_signer = link_signer
        self.link_sender = link_sender or RecordingLinkSender()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(ActorAsDict())
        transcoder.register(DateAsISO())

    def read_feed(self, after: int, limit: int) -> list[FeedEnvelope]:
        """The global log after a position, as envelopes: positions, not offsets."""
        notifications = self.recorder.select_notifications(start=after + 1, limit=limit)  # type: ignore[attr-defined]
        return [envelope(self.mapper.to_domain_event(n), n.id) for n in notifications]

    def last_position(self) -> int:
        return int(self.recorder.max_notification_id() or 0)  # type: ignore[attr-defined]
