"""The application: one log for every stream, which projections and the feed follow."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.persistence import JSONTranscoder, Mapper
from eventsourcing.utils import resolve_topic

from application.alerts import AlertCommands
from application.enterprises import EnterpriseCommands, LogVisit, RegisterEnterprise
from application.feed import FeedEnvelope, envelope
from application.history import HistoryCommands
from application.issues import IssueCommands, RaiseDemand, SubmitDirectReport
from application.labour import LabourCommands, RecordLabour
from application.outreach import LinkSender, LinkSigner, OutreachCommands, RecordingLinkSender
from application.publicity import PublicityCommands
from application.registry import RegistryCommands
from application.shredding import PersonalDataMapper, forget_ciphers
from application.transcodings import ActorAsDict, DateAsISO
from domain.labour import OccupationCatalogue
from domain.policy_catalogue import PolicyCatalogue
from domain.shared import BEIJING_TIME, Clock
from domain.time_limits import WorkingCalendar

__all__ = [
    "LogVisit",
    "RaiseDemand",
    "RecordLabour",
    "RegisterEnterprise",
    "ServicePackage",
    "SubmitDirectReport",
    "SystemClock",
]


# The setting naming the key table's class (infra/bootstrap.py sets it).
PERSONAL_DATA_KEYS_TOPIC = "PERSONAL_DATA_KEYS_TOPIC"


class SystemClock:
    """Now, in Beijing time: working days begin at midnight in Chongqing, not in UTC."""

    def now(self) -> datetime:
        return datetime.now(tz=BEIJING_TIME)


class ServicePackage(
    OutreachCommands,  # before IssueCommands: its after_closure_approved sends the rating link
    EnterpriseCommands,
    IssueCommands,
    LabourCommands,
    RegistryCommands,
    AlertCommands,
    HistoryCommands,
    PublicityCommands,
):
    """企业服务包: enterprise relationships, issues and reference data, in one event log."""

    name = "espcrm"

    def __init__(
        self,
        env: dict[str, str] | None = None,
        clock: Clock | None = None,
        catalogue: PolicyCatalogue | None = None,
        occupations: OccupationCatalogue | None = None,
        calendar: WorkingCalendar | None = None,
        link_signer: LinkSigner | None = None,
        link_sender: LinkSender | None = None,
    ) -> None:
        super().__init__(env)
        self.clock = clock or SystemClock()
        self.shipped_catalogue = catalogue or PolicyCatalogue()
        self.occupations = occupations or OccupationCatalogue()
        if calendar is not None:
            self.calendar = calendar
        self.link_signer = link_signer
        self.link_sender = link_sender or RecordingLinkSender()

    def construct_mapper(self) -> Mapper[UUID]:
        """Personal fields sealed with their subject's key (application/shredding.py); the key
        table is infrastructure, named by topic in the settings as the recorder is."""
        topic = self.env.get(PERSONAL_DATA_KEYS_TOPIC)
        keys = resolve_topic(topic)(self.env) if topic else None
        transcoder = self.construct_transcoder()
        assert isinstance(transcoder, JSONTranscoder)  # the library's, with ours registered
        return PersonalDataMapper(
            transcoder=transcoder,
            compressor=self.factory.compressor(),
            cipher=self.factory.cipher(),
            keys=keys,
        )

    def destroy_personal_data_keys(self, subject_id: UUID) -> int:
        keys = getattr(self.mapper, "keys", None)
        destroyed = int(keys.destroy(subject_id)) if keys is not None else 0
        forget_ciphers()
        return destroyed

    def close(self) -> None:
        keys = getattr(self.mapper, "keys", None)
        if keys is not None and hasattr(keys, "close"):
            keys.close()
        super().close()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(ActorAsDict())
        transcoder.register(DateAsISO())

    def read_feed(self, after: int, limit: int) -> list[FeedEnvelope]:
        """The global log after a position, as envelopes: positions, not offsets."""
        notifications = self.recorder.select_notifications(start=after + 1, limit=limit)  # type: ignore[attr-defined]
        events = self.decode(notifications)
        return [envelope(e, n.id) for e, n in zip(events, notifications, strict=True)]

    def last_position(self) -> int:
        return int(self.recorder.max_notification_id() or 0)  # type: ignore[attr-defined]
