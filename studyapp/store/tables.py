"""SQLModel tables: cards, their demo links, review logs, demo runs and settings.

Every datetime is stored as an ISO-8601 string in UTC and comes back timezone-aware
(``UTCDateTime``), because SQLite has no timezone-aware type and py-fsrs rejects naive
datetimes.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class UTCDateTime(sa.types.TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out (stored as sortable ISO text)."""

    impl = sa.String
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect) -> Optional[str]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: studyapp stores only aware UTC times")
        return value.astimezone(timezone.utc).isoformat(timespec="microseconds")

    def process_result_value(self, value: Optional[str], dialect) -> Optional[datetime]:
        if value is None:
            return None
        return datetime.fromisoformat(value).astimezone(timezone.utc)


def source_label(source_file: str, source_line: int) -> str:
    """Where a card comes from, as ``path:line``."""
    return f"{source_file}:{source_line}"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _when(nullable: bool = True):
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable)


def _own_id(context) -> str:
    """Insert-time default of ``Card.sibling_key``: a card with no siblings is its own group."""
    return context.get_current_parameters()["id"]


# Card.state values. py-fsrs has no "new" state, so a never-reviewed card is kept
# here as NEW and handed to fsrs as a fresh Learning card.
NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3
STATE_NAMES = {NEW: "new", LEARNING: "learning", REVIEW: "review", RELEARNING: "relearning"}


class Card(SQLModel, table=True):
    """One flashcard parsed from the notes, plus its scheduling state."""

    # The card browser over 100k cards: its stability sort walks this index, and a
    # retrievability search or sort reads it alone instead of every card's text.
    __table_args__ = (sa.Index("ix_card_memory", "stability", "last_review", "state", "removed"),)

    id: str = Field(primary_key=True)  # derived from deck path + normalised front at creation
    front: str
    back: str
    deck: str = Field(index=True)  # "深度学习八股::梯度问题"
    tags: str = ""  # space-separated, Anki style (no spaces inside a tag)
    source_file: str = ""
    source_line: int = 0
    position: int = 0  # order of the card within its source file
    kind: str = "question"  # question | concept | term | explicit
    # Cards made from one note element (a reversed pair, the clozes of one note, the cards of
    # one explicit block) share this key and are siblings, as in Anki; a heading section is
    # not a sibling group. A card with no siblings has its own id (the default on insert).
    sibling_key: str = Field(default=None, sa_column=sa.Column(
        sa.String, nullable=False, index=True, default=_own_id))
    content_hash: str = ""  # hash of front+back+deck+tags, to detect edits
    removed: bool = Field(default=False, index=True)  # gone from the notes; history kept
    suspended: bool = False
    # Scheduling (FSRS). due is None for a new card.
    state: int = Field(default=NEW, index=True)
    step: Optional[int] = None
    stability: Optional[float] = None
    difficulty: Optional[float] = None
    due: Optional[datetime] = Field(default=None, sa_type=UTCDateTime, index=True)
    last_review: Optional[datetime] = _when()
    reps: int = Field(default=0, index=True)  # indexed for the browser's sorts (one page costs one page)
    lapses: int = Field(default=0, index=True)
    buried_until: Optional[datetime] = _when()
    created_at: Optional[datetime] = _when()
    updated_at: Optional[datetime] = _when()

    @property
    def source(self) -> str:
        return source_label(self.source_file, self.source_line)

    @property
    def tag_list(self) -> list[str]:
        return self.tags.split()


class CardDemo(SQLModel, table=True):
    """A card answered by a runnable demo (computed at import, or named in the notes)."""

    card_id: str = Field(foreign_key="card.id", primary_key=True, ondelete="CASCADE")
    demo_id: str = Field(primary_key=True, index=True)
    explicit: bool = False  # named by a "demo: ID" line in the notes
    reason: str = Field(default="", sa_column_kwargs={"server_default": ""})  # why: "named in the notes", "front: 'vanishing gradient'", "answer: '梯度消失'"


# ReviewLog.rating of a reset to new (the browser's R R, Anki's Forget): a trace in the card's
# history, never an answer. Whatever counts or replays answers reads ``ANSWERED`` rows only.
RESET = 0


class ReviewLog(SQLModel, table=True):
    """One rating of one card. state_before holds the card's scheduling fields as JSON."""

    id: Optional[int] = Field(default=None, primary_key=True)
    card_id: str = Field(foreign_key="card.id", index=True)
    rating: int  # 1 Again, 2 Hard, 3 Good, 4 Easy; RESET (0): the card was made new again, not an answer
    reviewed_at: datetime = Field(sa_type=UTCDateTime, index=True)
    duration_ms: Optional[int] = None
    state_before: int = NEW
    snapshot_before: str = "{}"  # JSON of every scheduling field, so undo restores exactly
    # Anki's revlog id (milliseconds) once the row is in the synced Anki collection, or the
    # id it came with from Anki (a review made on the phone): rows are united by it.
    anki_revlog_id: Optional[int] = Field(default=None, index=True, unique=True)


ANSWERED = ReviewLog.rating > RESET  # SQL condition: the row is a rating (Again..Easy), not a reset


class SyncedCard(SQLModel, table=True):
    """What the last ``studyapp sync`` left in the Anki collection for one card (both sides agreed)."""

    card_id: str = Field(foreign_key="card.id", primary_key=True, ondelete="CASCADE")
    anki_card_id: int
    fields_hash: str = ""  # hash of the note fields we wrote: an Anki-side edit differs from it
    tags: str = ""  # the tags we wrote (tags added in Anki are kept)
    deck: str = ""  # the deck we put the card in
    suspended: bool = False
    schedule_key: str = ""  # hash of the scheduling fields we wrote: ours changed when it differs
    content_key: str = ""  # hash of what the fields were made from: unchanged, they need no rendering


class SyncState(SQLModel, table=True):
    """Key/value state of ``studyapp sync`` (last sync time, revlog usn already read), values as JSON."""

    key: str = Field(primary_key=True)
    value: str


class DemoRun(SQLModel, table=True):
    """One execution of a demo, successful or not."""

    id: Optional[int] = Field(default=None, primary_key=True)
    demo_id: str = Field(index=True)
    card_id: Optional[str] = Field(default=None, foreign_key="card.id")
    device: str = ""
    torch_version: str = ""
    seed: int = 0
    mode: str = "quick"
    started_at: datetime = Field(sa_type=UTCDateTime)
    seconds: float = 0.0
    status: str = "ok"  # ok | failed | cancelled | timeout | error
    claim_holds: Optional[bool] = None
    metrics: str = "{}"  # JSON
    series: str = "{}"  # JSON
    error: str = ""
    threads: Optional[int] = None  # torch CPU threads in the run's process
    prediction: Optional[str] = None  # the learner's answer to the demo's PREDICT question, before the run
    answer: Optional[str] = None  # the choice the run's numbers made right


class Setting(SQLModel, table=True):
    """Key/value settings (scheduler, queue limits, FSRS parameters), values as JSON."""

    key: str = Field(primary_key=True)
    value: str


class MockInterview(SQLModel, table=True):
    """One finished mock interview: its scope, limits and the report per topic (JSON)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    started_at: datetime = Field(sa_type=UTCDateTime, index=True)
    finished_at: datetime = Field(sa_type=UTCDateTime)
    deck: str = ""  # "" = every deck
    questions: int = 0
    seconds_per_question: int = 0
    counted_as_reviews: bool = True
    report: str = "{}"  # JSON: {"topics": [{deck, answered, seconds, coverage, grades}], ...}
