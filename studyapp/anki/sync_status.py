"""``studyapp sync --status``: what the next sync would move, changing nothing.

The way out is planned exactly as a sync plans it (``plan_out``) against the shadow as the
last sync left it; the server is asked whether it has changes (``sync_status``), which
reads but never writes.
"""

from __future__ import annotations

from sqlmodel import select

from studyapp.anki.sync import last_sync
from studyapp.anki.sync_login import require_login, sync_error
from studyapp.anki.sync_media import images_of, latest_plots
from studyapp.anki.sync_plan import plan_out
from studyapp.anki.sync_shadow import note_type_ids, open_shadow, require_anki, shadow_notes, sync_folder
from studyapp.store.database import Store
from studyapp.store.tables import ReviewLog


def _server_says(collection, login) -> str:
    try:
        status = collection.sync_status(login.auth())
    except Exception as exc:
        described = sync_error(exc, login.where)
        if described is exc:
            raise
        raise described from exc
    if status.required == status.NO_CHANGES:
        return "nothing new on the server"
    if status.required == status.FULL_SYNC:
        return "the server asks for a full sync (studyapp downloads, then sends its cards again)"
    return "changes to bring in (reviews or edits made in Anki since the last sync)"


def sync_status(store: Store) -> list[str]:
    """The lines `studyapp sync --status` prints."""
    require_anki()
    folder = sync_folder(store.path)
    login = require_login(folder)
    previous = last_sync(store)
    lines = [f"logged in as {login.user} at {login.where}; "
             + (f"last sync {previous['at']}" if previous else "never synced")]
    with open_shadow(folder) as collection:
        lines.append(f"server: {_server_says(collection, login)}")
        shadow = shadow_notes(collection, note_type_ids(collection, create=False))
        plan = plan_out(store, collection, shadow, images_of(latest_plots(store)))
        in_anki = set(collection.db.list("select id from revlog"))
    cards = set(plan.present) | set(plan.new_cards)
    with store.session() as session:
        reviews = sum(1 for card_id, revlog_id in session.exec(select(ReviewLog.card_id, ReviewLog.anki_revlog_id))
                      if card_id in cards and revlog_id not in in_anki)
    lines.append(f"to send: {len(plan.new_cards)} new card(s), {len(plan.notes)} edited, {len(plan.moves)} moved, "
                 f"{len(plan.suspend)} to suspend, {len(plan.unsuspend)} to unsuspend, "
                 f"{len(plan.schedules)} schedule(s), {reviews} review(s)")
    for edit in plan.edits:
        lines.append(f"edited in Anki: {edit.card_id}  {edit.source}  " + "; ".join(
            f"{name}: {text}" for name, text in edit.fields.items()))
    return lines
