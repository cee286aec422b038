"""Review commands: `review`, `due`, `unbury`, `rate`, `suspend`, `unsuspend`, `config`, `stats`, `optimize`.

The headless commands build the queue and rate cards through the same functions the TUI
uses (``review_queue``, ``schedule``), so `studyapp due --json` lists exactly what the
reviewer would show. Heavy imports (Textual, plotext, the optimizer) happen in handlers.
"""

from __future__ import annotations

import argparse

from studyapp.cli.common import now_for, print_json, store_for

RATING_CHOICES = ("again", "hard", "good", "easy")
CARD_ID_HELP = "a card id, as `studyapp due` and `studyapp cards` print it"


def register(subparsers, common: argparse.ArgumentParser) -> None:
    review = subparsers.add_parser(
        "review", parents=[common], help="open the reviewer on today's cards",
        description="Review today's cards in the terminal (the same as running studyapp with no command, "
                    "but straight into the cards).",
    )
    review.add_argument("--deck", metavar="X", help="only deck X and the decks below it")
    review.add_argument("--cram", action="store_true",
                        help="walk every card of the deck without touching its schedule")
    review.set_defaults(handler=run_review)

    due = subparsers.add_parser(
        "due", parents=[common], help="list today's queue, in review order",
        description="List the cards the reviewer would show now, in the order it shows them: due learning "
                    "cards, then due reviews, then new cards within today's limits (see `studyapp config`).",
    )
    due.add_argument("--json", action="store_true", help="print JSON: counts and the ordered cards")
    due.add_argument("--deck", metavar="X", help="only deck X and the decks below it")
    due.set_defaults(handler=run_due)

    rate = subparsers.add_parser(
        "rate", parents=[common], help="rate one card without the TUI",
        description="Rate one card as the reviewer would (schedule it with FSRS and log the review), "
                    "then print when it is due next. Removed and suspended cards are refused.",
    )
    rate.add_argument("card_id", metavar="CARD_ID", help=CARD_ID_HELP)
    rate.add_argument("rating", choices=RATING_CHOICES, help="how well you recalled it")
    rate.set_defaults(handler=run_rate)

    unbury = subparsers.add_parser(
        "unbury", parents=[common], help="bring back today's buried sibling cards",
        description="Lift today's burials (see the bury_new, bury_reviews and bury_interday_learning settings), "
                    "so the buried siblings can be studied now. `studyapp review --cram` shows them without this.",
    )
    unbury.add_argument("--deck", metavar="X", help="only deck X and the decks below it")
    unbury.set_defaults(handler=run_unbury)

    for name, verb, description in (
        ("suspend", "hide a card from reviews",
         "Hide a card from reviews until it is unsuspended; its schedule and history are kept."),
        ("unsuspend", "bring a suspended card back",
         "Bring a suspended card back into reviews, with the schedule it had."),
    ):
        sub = subparsers.add_parser(name, parents=[common], help=verb, description=description)
        sub.add_argument("card_id", metavar="CARD_ID", help=CARD_ID_HELP)
        sub.set_defaults(handler=run_suspend, suspend=name == "suspend")

    config = subparsers.add_parser(
        "config", parents=[common], help="show or change settings",
        description=CONFIG_DESCRIPTION, formatter_class=_ConfigHelpFormatter,
    )
    config.add_argument("key", nargs="?", metavar="KEY", help="a setting name (listed above)")
    config.add_argument("value", nargs="?", metavar="VALUE", help="its new value, or 'default'")
    config.set_defaults(handler=run_config)

    stats = subparsers.add_parser(
        "stats", parents=[common], help="reviews, retention, card states, forecast",
        description="Print charts of the last 30 study days (reviews per day, true retention), the cards "
                    "by state and the reviews due in the next 30 days. Plain text when not on a terminal "
                    "or when $NO_COLOR is set.",
    )
    stats.add_argument("--json", action="store_true",
                       help="print the numbers as JSON: days, reviews_per_day, retention_per_day, retention_overall, "
                            "review_state_reviews, cards_by_state, forecast_days, forecast")
    stats.set_defaults(handler=run_stats)

    optimize = subparsers.add_parser(
        "optimize", parents=[common], help="fit FSRS parameters to your review log (needs 512+ reviews)",
        description="Fit the FSRS parameters to your own review log (at least 512 reviews), print the log "
                    "loss before and after, and store them as the fsrs_parameters setting.",
    )
    optimize.set_defaults(handler=run_optimize)


CONFIG_DESCRIPTION = ("With no KEY, list every setting. With KEY, show it. With KEY VALUE, set it\n"
                      "('default' restores the built-in value).")


class _ConfigHelpFormatter(argparse.RawDescriptionHelpFormatter):
    """`config --help`: the description, then every setting with its default, read from settings.py
    only when the help is shown (every command builds this parser; none but this help needs them)."""

    def add_text(self, text):
        super().add_text(text + "\n\n" + _settings_table() if text == CONFIG_DESCRIPTION else text)


def _settings_table() -> str:
    """Every setting: its name, its default and its help."""
    import textwrap

    from studyapp.review.settings import SPECS, Settings, format_value

    defaults = {key: format_value(key, getattr(Settings(), key)) for key in SPECS}
    key_width, value_width = max(map(len, SPECS)), max(map(len, defaults.values()))
    indent = " " * (2 + key_width + 2 + value_width + 2)
    lines = [textwrap.fill(spec.help, width=79, subsequent_indent=indent,
                           initial_indent=f"  {key:<{key_width}}  {defaults[key]:<{value_width}}  ")
             for key, spec in SPECS.items()]
    return "settings (name, default, meaning):\n" + "\n".join(lines)


def open_tui(args) -> int:
    """Open the TUI on the deck list (``studyapp`` with no command)."""
    return _run_app(args, straight_to_review=False)


def run_review(args) -> int:
    return _run_app(args, straight_to_review=True)


def _run_app(args, straight_to_review: bool) -> int:
    app = make_app(args, straight_to_review)
    app.run()
    return app.return_code or 0


def make_app(args, straight_to_review: bool):
    """The TUI as the command line asks for it (also used by the startup benchmark)."""
    from studyapp.review.queue import check_deck
    from studyapp.store.tables import utcnow
    from studyapp.tui.app import StudyApp

    store = store_for(args)
    with store.session() as session:
        check_deck(session, getattr(args, "deck", None))
    offset = now_for(args) - utcnow() if getattr(args, "now", None) else None
    return StudyApp(
        store, clock_offset=offset, deck=getattr(args, "deck", None),
        cram=getattr(args, "cram", False), straight_to_review=straight_to_review,
    )


def _settings(store):
    from studyapp.review.settings import load_settings

    with store.session() as session:
        return load_settings(session)


def run_due(args) -> int:
    from studyapp.review.buried import buried_today
    from studyapp.review.queue import build_queue, check_deck, queue_listing

    store = store_for(args)
    settings = _settings(store)
    with store.session() as session:
        check_deck(session, args.deck)
        listing = queue_listing(session, build_queue(session, settings, now_for(args), args.deck))
        buried = buried_today(session, settings, now_for(args), args.deck)
    if args.json:
        print_json({**listing, "buried": {"total": buried.total, "buried": buried.buried, "held": buried.held}})
        return 0
    counts = listing["counts"]
    print(f"learning {counts['learning']}  due {counts['review']}  new {counts['new']}  "
          f"(done today {counts['done_today']})")
    if buried.total:
        unbury_hint = f", `studyapp unbury` brings back {buried.buried}" if buried.buried else ""
        print(f"{buried.describe()}: `studyapp review --cram` shows them{unbury_hint}")
    for card in listing["cards"]:
        print(f"{card['id']}  {card['queue']:<8} {card['deck']}  ·  {card['front']}")
    return 0


def run_unbury(args) -> int:
    from studyapp.review.buried import unbury
    from studyapp.review.queue import check_deck

    store = store_for(args)
    with store.session() as session:
        check_deck(session, args.deck)
    count = unbury(store, now_for(args), args.deck)
    print(f"unburied {count} card{'s' if count != 1 else ''}")
    return 0


def run_rate(args) -> int:
    from studyapp.review.schedule import format_interval, parse_rating, rate_now

    store = store_for(args)
    settings = _settings(store)
    shown, result = rate_now(store, args.card_id, parse_rating(args.rating), settings, now_for(args))
    outcome = shown.outcome(parse_rating(args.rating))
    local_due = outcome.due.astimezone().strftime("%Y-%m-%d %H:%M")
    print(f"rated {args.card_id} {args.rating}: next due {local_due} (in {format_interval(outcome.interval)})",
          flush=True)
    if result.became_leech:
        print(f"card {args.card_id} is a leech ({result.card.lapses} lapses): tagged leech and suspended")
    return 0


def run_suspend(args) -> int:
    from studyapp.review.queue import set_suspended

    card, changed = set_suspended(store_for(args), args.card_id, args.suspend)
    if not changed:
        print(f"card {card.id} is {'already' if card.suspended else 'not'} suspended")
    else:
        print(f"{'suspended' if card.suspended else 'unsuspended'} {card.id}")
    return 0


def run_config(args) -> int:
    from studyapp.review.settings import SPECS, format_value, load_settings, parse_value, set_setting

    store = store_for(args, auto_import=False)
    if args.key is not None and args.value is not None:
        value = parse_value(args.key, args.value)
        with store.transaction() as session:
            set_setting(session, args.key, value)
    elif args.key is not None:
        parse_value(args.key, "default")  # rejects an unknown key with the list of keys
    with store.session() as session:
        settings = load_settings(session)
    keys = [args.key] if args.key else list(SPECS)
    for key in keys:
        print(f"{key} = {format_value(key, getattr(settings, key))}" + ("" if args.key else f"    # {SPECS[key].help}"))
    return 0


def run_stats(args) -> int:
    from studyapp.review.stats import compute_stats
    from studyapp.review.stats_chart import print_stats

    store = store_for(args)
    settings = _settings(store)
    with store.session() as session:
        stats = compute_stats(session, settings, now_for(args))
    if args.json:
        print_json(stats.as_json())
        return 0
    print_stats(stats)
    return 0


def run_optimize(args) -> int:
    from studyapp.review.optimize import optimize

    store = store_for(args)
    result = optimize(store, _settings(store))
    print(f"fitted FSRS parameters to {result.reviews} reviews of {result.cards} cards")
    print(f"log loss: {result.loss_before:.4f} before, {result.loss_after:.4f} after")
    print("the new parameters are stored (see `studyapp config fsrs_parameters`)")
    return 0
