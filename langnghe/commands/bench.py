"""``langnghe bench <target>``: measurements. Targets register under one subparser group.

``bench nlp`` trains a fresh model of the project's method on any labelled CSV/JSONL and
prints one JSON object as the last stdout line (macro_f1, accuracy, train_seconds,
predict_docs_per_second, tokenize_only_docs_per_second).

Other targets: add a module ``langnghe/commands/bench_<name>.py`` with
``register_target(targets)`` that adds ``targets.add_parser("<name>", ...)`` and sets
``func(args, settings) -> int`` (no ``register`` function, so it is not a top-level command).
"""

from __future__ import annotations

import argparse
import json
import sys

def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="đo kiểm / benchmarks (bench nlp ...)")
    targets = p.add_subparsers(dest="bench_target", metavar="TARGET")
    p.set_defaults(func=_no_target(p))
    nlp = targets.add_parser("nlp", help="train the project's text classifier on a labelled file and measure it")
    nlp.add_argument("--train", required=True, help="training file (CSV or JSONL)")
    nlp.add_argument("--test", required=True, help="test file (CSV or JSONL)")
    nlp.add_argument("--text-col", default="text")
    nlp.add_argument("--label-col", default="label")
    nlp.add_argument("--params", help="JSON overrides of the method's parameters (ablations)")
    nlp.add_argument("--no-speed", action="store_true", help="skip the speed measurement")
    nlp.add_argument("--json", action="store_true", help="print only the JSON result on stdout")
    nlp.set_defaults(func=run_nlp)
    import importlib
    import pkgutil

    import langnghe.commands as commands_pkg

    for info in sorted(pkgutil.iter_modules(commands_pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("bench_"):
            module = importlib.import_module(f"langnghe.commands.{info.name}")
            register_target = getattr(module, "register_target", None)
            if register_target is not None:
                register_target(targets)


def _no_target(parser: argparse.ArgumentParser):
    def run(args, settings) -> int:
        parser.print_help()
        return 2

    return run


def run_nlp(args: argparse.Namespace, settings) -> int:
    from langnghe.errors import UserError
    from nlp.benchmark import run_bench
    from nlp.datasets import read_labelled

    params = None
    if args.params:
        try:
            params = json.loads(args.params)
        except json.JSONDecodeError as exc:
            raise UserError(f"--params is not valid JSON ({exc.msg}). Pass a JSON object.") from exc
    train = read_labelled([args.train], args.text_col, args.label_col)
    test = read_labelled([args.test], args.text_col, args.label_col)

    def progress(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    result = run_bench(train.texts, train.labels, test.texts, test.labels, params=params,
                       speed=not args.no_speed, progress=progress)
    if not args.json:
        print(f"macro-F1 {result['macro_f1']:.4f}, accuracy {result['accuracy']:.4f}, "
              f"trained in {result['train_seconds']:.1f}s", file=sys.stderr)
    print(json.dumps(result, ensure_ascii=False))
    return 0
