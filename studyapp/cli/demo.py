"""`studyapp demo list` and `studyapp demo run`: the concept demos from the command line."""

from __future__ import annotations

import argparse
import sys
import threading

from studyapp.cli.common import print_json, store_for

EXIT_HOLDS, EXIT_DOES_NOT_HOLD, EXIT_ERROR = 0, 1, 2

RUN_HELP = """\
Run a demo in its own process, with live progress on stderr and a verdict line.
Exit status: 0 the claim holds, 1 it ran and the claim did not hold, 2 error
(unknown demo, absent device, crash, timeout). The run is recorded in the database."""


def register(subparsers, common: argparse.ArgumentParser) -> None:
    demo = subparsers.add_parser("demo", parents=[common], help="list and run the PyTorch concept demos",
                                 description="The runnable answers: one small PyTorch experiment per concept.")
    commands = demo.add_subparsers(title="demo commands", metavar="{list,run}")
    demo.set_defaults(handler=lambda args: (demo.print_help(), EXIT_ERROR)[1])

    listing = commands.add_parser("list", parents=[common], help="the demos, their claims and linked cards")
    listing.add_argument("--json", action="store_true", help="print a JSON array: id, title, claim, cards")
    listing.set_defaults(handler=run_list)

    run = commands.add_parser("run", parents=[common], help="run one demo", description=RUN_HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("demo_id", metavar="ID", help="a demo id (see `studyapp demo list`)")
    run.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda", "mps"),
                     help="where to run: auto picks cuda, then mps, then cpu (default: auto)")
    run.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    size = run.add_mutually_exclusive_group()
    size.add_argument("--quick", dest="mode", action="store_const", const="quick",
                      help="the small version, a few seconds on a laptop CPU (default)")
    size.add_argument("--full", dest="mode", action="store_const", const="full",
                      help="the full-size version (meant for a GPU)")
    run.add_argument("--threads", type=_positive_int, default=None, metavar="N",
                     help="torch CPU threads (default: 1 with --quick, which stays fast beside other busy "
                          "processes; torch's choice with --full)")
    run.add_argument("--timeout", type=_positive_seconds, default=None, metavar="S",
                     help="give up after S seconds (default: 120 quick, 1800 full)")
    run.add_argument("--card", metavar="CARD_ID", help="record the run against this card")
    run.add_argument("--predict", metavar="CHOICE",
                     help="your answer to the demo's question about its outcome, made before it runs "
                          "(`studyapp demo list` shows the questions and choices); shown beside the verdict "
                          "and recorded with the run")
    run.add_argument("--json", action="store_true",
                     help="print the result as JSON: id, claim, claim_holds, metrics, device, seed, mode, "
                          "seconds, torch_version (+ series)")
    run.add_argument("--no-record", action="store_true", help="do not record the run in the database")
    run.set_defaults(handler=run_run, mode="quick")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, got {text!r}")
    if not value <= threading.TIMEOUT_MAX:  # nan, inf, or too long for a timer
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds, got {text!r}")
    return value


def run_list(args) -> int:
    from sqlmodel import select

    from studyapp.runner.catalog import broken_demos, catalog
    from studyapp.store.tables import Card, CardDemo

    store = store_for(args)
    with store.session() as session:
        rows = session.exec(select(CardDemo.demo_id, Card.id, Card.front)
                            .join(Card, Card.id == CardDemo.card_id).where(Card.removed == False))  # noqa: E712
        linked: dict[str, list[dict]] = {}
        for demo_id, card_id, front in rows:
            linked.setdefault(demo_id, []).append({"id": card_id, "front": front})
    demos = [{"id": info.id, "title": info.title, "claim": info.claim, "cards": linked.get(info.id, []),
              "predict": None if info.predict is None else {"question": info.predict.question,
                                                            "choices": dict(info.predict.choices)}}
             for info in catalog().values()]
    broken = broken_demos()
    if args.json:
        print_json(demos)
    else:
        for demo in demos:
            print(f"{demo['id']:<24} {demo['title']}")
            print(f"{'':<24} {demo['claim']}")
            if demo["predict"]:
                choices = "  ".join(f"{key}) {text}" for key, text in demo["predict"]["choices"].items())
                print(f"{'':<24} ? {demo['predict']['question']}  {choices}")
            for card in demo["cards"]:
                print(f"{'':<24} ▸ {card['front']}")
    for demo in broken:  # on stderr, so the list (and its JSON) stays the usable demos
        print(f"studyapp: warning: {demo.path}: not a usable demo, left out: {demo.error}", file=sys.stderr)
    return 0


def run_run(args) -> int:
    from studyapp.errors import UserError
    from studyapp.runner.catalog import get_demo
    from studyapp.runner.process import RunRequest, run_demo
    from studyapp.store.tables import Card

    info = get_demo(args.demo_id)
    if args.predict is not None:
        if info.predict is None:
            raise UserError(f"demo {info.id} asks no question to predict (--predict needs a demo that declares one)")
        info.predict.check(args.predict)
    store = None if args.no_record else store_for(args)
    if args.card:
        if store is None:
            raise UserError("--card needs the run to be recorded (drop --no-record)")
        with store.session() as session:
            if session.get(Card, args.card) is None:
                raise UserError(f"no card with id {args.card!r}")
    request = RunRequest(demo_id=info.id, device=args.device, seed=args.seed, mode=args.mode,
                         threads=args.threads, timeout=args.timeout, card_id=args.card, prediction=args.predict)
    print(f"{info.id}: {info.claim}", file=sys.stderr)
    if info.predict is not None:
        print(f"Predict: {info.predict.question}", file=sys.stderr)
        for key, text in info.predict.choices:
            print(f"  {key}) {text}{'   ← your prediction' if key == args.predict else ''}", file=sys.stderr)
    outcome = run_demo(request, on_event=_print_progress, store=store)
    if outcome.record_error:
        print(f"studyapp: warning: the run was not recorded: {outcome.record_error}", file=sys.stderr)
    if outcome.status in ("ok", "failed"):
        verdict = "claim holds" if outcome.claim_holds else "claim does NOT hold"
        print(f"{'✓' if outcome.claim_holds else '✗'} {verdict} ({outcome.device}, seed {args.seed}, "
              f"{args.mode}, {outcome.seconds:.2f} s)", file=sys.stderr)
        if info.predict is not None and outcome.answer is not None:
            print(prediction_line(info.predict, args.predict, outcome.answer), file=sys.stderr)
        if args.json:
            result = outcome.result
            print_json({"id": info.id, "claim": result["claim"], "claim_holds": result["claim_holds"],
                        "metrics": result["metrics"], "device": outcome.device, "seed": args.seed,
                        "mode": args.mode, "seconds": outcome.seconds, "torch_version": outcome.torch_version,
                        "series": result.get("series", {}), "x_label": result.get("x_label", ""),
                        "y_label": result.get("y_label", ""), "log_y": result.get("log_y", False),
                        "threads": outcome.threads, "prediction": args.predict, "answer": outcome.answer})
        return EXIT_HOLDS if outcome.claim_holds else EXIT_DOES_NOT_HOLD
    first, _, rest = outcome.error.partition("\n")
    print(f"studyapp: error: demo {info.id}: {first}", file=sys.stderr)
    if rest:
        print(rest, file=sys.stderr)
    if outcome.status == "timeout":
        print(f"studyapp: hint: {_timeout_hint(request)}", file=sys.stderr)
    return EXIT_ERROR


def prediction_line(predict, prediction: str | None, answer: str) -> str:
    """The measured answer, beside the learner's prediction when there was one."""
    measured = f"the numbers say {answer}) {predict.text_of(answer)}"
    if prediction is None:
        return f"  {measured}"
    if prediction == answer:
        return f"✓ your prediction {prediction}) was right: {measured}"
    return f"✗ you predicted {prediction}) {predict.text_of(prediction)}; {measured}"


def _timeout_hint(request) -> str:
    """What to try after a timeout: a longer limit, and the cheaper settings not already used."""
    tries = [f"--timeout {request.with_longer_limit().time_limit:g}"]
    if request.thread_count != 1:
        tries.append("--threads 1")
    if request.mode == "full":
        tries.append("--quick")
    return f"a busy machine slows demos down (other processes take the CPU); try {' or '.join(tries)}"


def _print_progress(event) -> None:
    if event.kind == "progress":
        print(f"[{event.fraction:4.0%}] {event.message}", file=sys.stderr, flush=True)
    elif event.kind == "output":
        print(f"       {event.message}", file=sys.stderr, flush=True)
    elif event.kind == "start":
        threads = event.data.get("threads")
        print(f"       device {event.data.get('device')}, torch {event.data.get('torch_version')}, "
              f"{threads} thread{'' if threads == 1 else 's'} (torch import {event.data.get('import_seconds')} s)",
              file=sys.stderr, flush=True)
