"""Interview commands: `interview` (readiness on the day and the plan to get there) and `mock`."""

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
