"""Rate one card N times as fast as possible: ``python rate_loop.py DB CARD_ID N OFFSET``.

One of several such processes rating the same card at once. Ratings cycle Hard, Good, Easy
from OFFSET; each is stamped with the clock. Prints the number of ratings committed.
"""

from __future__ import annotations

import sys

from studyapp.review.schedule import rate_now
from studyapp.review.settings import Settings
from studyapp.store.database import open_store
from studyapp.store.tables import utcnow

db, card_id, count, offset = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
store = open_store(db)
settings = Settings(fuzz=False)
done = 0
for index in range(count):
    rate_now(store, card_id, 2 + (offset + index) % 3, settings, utcnow())
    done += 1
print(done)
