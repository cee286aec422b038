"""Interview commands: `interview` (readiness on the day and the plan to get there) and `mock` (TUI, --history)."""

from __future__ import annotations

import argparse

from studyapp.cli.common import now_for, print_json, store_for


def register(subparsers, common: argparse.ArgumentParser) -> None:
    interview = subparsers.add_parser(
        "interview", parents=[common], help="predicted recall per topic on your interview day, and a plan",
        description="For each topic (deck): the mean predicted recall (FSRS retrievability) on the interview "
                    "day at 09:00 local time, a card never studied counting 0; the share of cards at or above "
                    "interview_target; the weakest cards; then the whole set, and the reviews and minutes a day "
                    "it takes to have every card at the target on the day (interview mode's queue, every "
                    "answer assumed Good). DATE defaults to the interview_date setting.",
    )
    interview.add_argument("date", nargs="?", metavar="DATE", help="interview day, e.g. 2026-04-01")
    interview.add_argument("--deck", metavar="X", help="only deck X and the decks below it")
    interview.add_argument("--json", action="store_true",
                           help="print JSON: date, target, topics[{deck, cards, mean_recall, ready_share, "
                                "weakest[{id, front, recall}]}], overall")
    interview.set_defaults(handler=run_interview)

    mock = subparsers.add_parser(
        "mock", parents=[common], help="a timed mock interview in the TUI, or --history",
        description="Ask N questions from the chosen decks, weakest first with some randomness, each with a "
                    "countdown. Type the answer (or say it aloud) and reveal it with ctrl+r: the model answer "
                    "shows beside yours with the key terms you covered highlighted; grade it 1-4 (Hard is a "
                    "pass, Again a miss). Grades are reviews (the time taken is their duration) unless "
                    "mock_counts_as_review is off. The report per topic is kept: --history lists them.",
    )
    mock.add_argument("--deck", metavar="X", help="only deck X and the decks below it")
    mock.add_argument("--questions", metavar="N", type=_positive_int, default=None,
                      help="how many questions (default 5)")
    mock.add_argument("--minutes", metavar="M", type=_positive_float, default=None,
                      help="minutes per question (default 3)")
    mock.add_argument("--history", action="store_true", help="list the past mock interviews instead")
    mock.add_argument("--json", action="store_true", help="with --history: print JSON")
    mock.set_defaults(handler=run_mock)


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(f"expected minutes above 0 (at most 600), got {text!r}")
    return value


def _percent(share: float) -> str:
    return f"{100 * share:.0f}%"


def run_interview(args) -> int:
    from studyapp.review.interview_plan import plan_for
    from studyapp.review.queue import check_deck
    from studyapp.review.readiness import compute_readiness, interview_day, live_cards
    from studyapp.review.settings import load_settings

    store = store_for(args)
    now = now_for(args)
    with store.session() as session:
        settings = load_settings(session)
        check_deck(session, args.deck)
        day = interview_day(settings, args.date, now)
        cards = live_cards(session, args.deck)
        ready = compute_readiness(cards, settings, day, now)
        plan = None if args.json else plan_for(session, cards, settings, day, now)
    if args.json:
        print_json(ready.to_json())
        return 0
    print(f"Interview {day.isoformat()} (in {ready.days_left} day{'s' if ready.days_left != 1 else ''}) · "
          f"target recall {_percent(ready.target)}")
    print()
    for topic in ready.topics:
        ready_cards = round(topic.ready_share * topic.cards)
        print(f"{_percent(topic.mean_recall):>5} recall  {ready_cards:>4}/{topic.cards:<4} ready  {topic.deck}")
        for weak in topic.weakest[:3]:
            print(f"{'':>21}{_percent(weak.recall):>5}  {weak.id}  {weak.front}")
    overall = ready.overall
    print()
    print(f"Overall: {overall.cards} cards, {_percent(overall.mean_recall)} mean recall on the day, "
          f"{_percent(overall.ready_share)} at or above {_percent(ready.target)}")
    print()
    _print_plan(plan, settings, ready.target)
    return 0


DAYS_LISTED = 14  # a longer plan lists its first days, then the rest as one line


def _print_plan(plan, settings, target: float) -> None:
    from studyapp.review.interview_plan import MAX_PLAN_DAYS

    if plan.too_far:
        print(f"Plan: the interview is more than {MAX_PLAN_DAYS} days away; ask again closer to the day.")
        return
    if not plan.days:
        print("Plan: the interview is today; nothing left to plan.")
        return
    source = (f"median of your last {plan.timed_reviews} timed reviews" if plan.timed_reviews
              else "a default, until you have 20 timed reviews")
    print(f"Plan ({plan.seconds_per_review:.0f} s a review: {source}):")
    listed = plan.days if len(plan.days) <= DAYS_LISTED + 7 else plan.days[:DAYS_LISTED]
    for day in listed:
        print(f"  {day.day.isoformat()}  {day.reviews:>5} reviews  {day.new:>4} new  {day.minutes:>6.0f} min")
    rest = plan.days[len(listed):]
    if rest:
        print(f"  then {len(rest)} days to {rest[-1].day.isoformat()}: {sum(d.reviews for d in rest)} reviews, "
              f"{sum(d.new for d in rest)} new, {sum(d.minutes for d in rest):.0f} min")
    print(f"  total {plan.total_reviews} reviews, {plan.total_minutes:.0f} min")
    if plan.not_ready:
        print(f"  {plan.not_ready} of {plan.cards} cards would still be below {_percent(target)} on the day "
              f"(reviews_per_day {settings.reviews_per_day} is too few, or too little time is left)")
    else:
        print(f"  every card at or above {_percent(target)} on the day")
    if plan.max_new_per_day > settings.new_per_day:
        print(f"  this needs up to {plan.max_new_per_day} new cards a day (new_per_day is {settings.new_per_day})")
    if not settings.interview_mode:
        print("  interview mode is off: `studyapp config interview_mode on` (and interview_date) "
              "makes the queue follow this plan")


def run_mock(args) -> int:
    from studyapp.review.queue import check_deck

    store = store_for(args)
    if args.history:
        return _print_history(store, args.json)
    with store.session() as session:
        check_deck(session, args.deck)
    from studyapp.store.tables import utcnow
    from studyapp.tui.app import StudyApp

    offset = now_for(args) - utcnow() if getattr(args, "now", None) else None
    app = StudyApp(store, clock_offset=offset, deck=args.deck, mock=(args.questions, args.minutes))
    app.run()
    return app.return_code or 0


def _print_history(store, as_json: bool) -> int:
    import json

    from studyapp.review.mock import mock_history

    with store.session() as session:
        rows = mock_history(session)
    if as_json:
        print_json([{"id": r.id, "started_at": r.started_at.isoformat(), "finished_at": r.finished_at.isoformat(),
                     "deck": r.deck, "questions": r.questions, "seconds_per_question": r.seconds_per_question,
                     "counted_as_reviews": r.counted_as_reviews, **json.loads(r.report)} for r in rows])
        return 0
    if not rows:
        print("no mock interviews yet: `studyapp mock` (or m on the deck list) starts one")
        return 0
    for row in rows:
        report = json.loads(row.report)
        overall = report["overall"]
        when = row.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
        print(f"{when}  {row.deck or 'all decks'}  {overall['answered']}/{row.questions} answered  "
              f"{overall['passed']} passed  coverage {overall['coverage']:.0%}  {overall['seconds'] / 60:.1f} min"
              + ("" if row.counted_as_reviews else "  (not counted as reviews)"))
        for topic in report["topics"]:
            grades = topic["grades"]
            print(f"    {topic['deck']}: {topic['answered']} answered, {topic['seconds'] / 60:.1f} min, "
                  f"coverage {topic['coverage']:.0%}, again {grades['again']} hard {grades['hard']} "
                  f"good {grades['good']} easy {grades['easy']}")
    return 0
