"""``langnghe classify``: predict category, topic and toxicity for texts (JSONL out).

Either one text as an argument, or JSONL on stdin (``{"id": ..., "text": ...}`` per
line). One JSON line out per input line, in order; a bad line gets
``{"id": ..., "error": "..."}`` and the batch goes on.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any, Iterator, TextIO

BATCH = 256


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "classify",
        help="phân loại văn bản / classify texts (argument, or JSONL with id,text on stdin) → JSONL",
    )
    p.add_argument("text", nargs="?", help="one text; omit to read JSONL from stdin")
    p.add_argument("--models", help="models folder (default: the models_dir setting)")
    p.add_argument("--text-field", default="text", help="JSON field holding the text (default text)")
    p.add_argument("--id-field", default="id", help="JSON field holding the id (default id)")
    p.set_defaults(func=run)


def _records(stream: TextIO, text_field: str, id_field: str) -> Iterator[tuple[Any, Any, str | None]]:
    """(id, text, error) per non-blank input line."""
    for lineno, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield f"line {lineno}", None, f"invalid JSON on line {lineno} ({exc.msg})"
            continue
        if not isinstance(row, dict):
            yield f"line {lineno}", None, f"line {lineno} is not a JSON object"
            continue
        rid = row.get(id_field, f"line {lineno}")
        text = row.get(text_field)
        if text is not None and not isinstance(text, str):
            yield rid, None, f"field {text_field!r} is not a string"
            continue
        yield rid, text, None


def to_json(rid: Any, analysis: Any) -> dict[str, Any]:
    """The JSONL shape of one :class:`~nlp.analyzer.Analysis`."""
    if not analysis.ok:
        return {"id": rid, "error": analysis.error or "could not classify this text"}
    out: dict[str, Any] = {"id": rid}
    for task in ("category", "topic", "toxicity"):
        pred = getattr(analysis, task)
        out[task] = pred.label
        out[f"{task}_proba"] = pred.proba
    out["probs"] = {t: getattr(analysis, t).probs for t in ("category", "topic", "toxicity")}
    out["explanation"] = {t: [[w, s] for w, s in getattr(analysis, t).explanation]
                          for t in ("category", "topic", "toxicity")}
    out["facets"] = analysis.facets
    out["flags"] = analysis.flags
    if analysis.error:
        out["warning"] = analysis.error
    return out


def _flush(analyzer: Any, batch: list[tuple[Any, Any, str | None]], out: TextIO) -> int:
    errors = 0
    todo = [(i, text) for i, (_, text, err) in enumerate(batch) if err is None]
    results = analyzer.analyze([text for _, text in todo]) if todo else []
    by_index = dict(zip((i for i, _ in todo), results))
    for i, (rid, _text, err) in enumerate(batch):
        if err is not None:
            row = {"id": rid, "error": err}
        else:
            row = to_json(rid, by_index[i])
        errors += "error" in row
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    out.flush()
    return errors


def run(args: argparse.Namespace, settings) -> int:
    from pathlib import Path

    from nlp.analyzer import Analyzer

    models_dir = Path(args.models) if args.models else settings.models_dir
    analyzer = Analyzer.load(models_dir)
    if args.text is not None:
        analysis = analyzer.analyze([args.text])[0]
        print(json.dumps(to_json(1, analysis), ensure_ascii=False))
        return 0 if analysis.ok else 1
    if sys.stdin.isatty():
        print("đọc JSONL từ stdin / reading JSONL from stdin (Ctrl-D to end)…", file=sys.stderr)
    start = time.perf_counter()
    total = errors = 0
    batch: list[tuple[Any, Any, str | None]] = []
    for record in _records(sys.stdin, args.text_field, args.id_field):
        batch.append(record)
        if len(batch) >= BATCH:
            errors += _flush(analyzer, batch, sys.stdout)
            total += len(batch)
            batch = []
            print(f"\r{total} texts…", end="", file=sys.stderr, flush=True)
    if batch:
        errors += _flush(analyzer, batch, sys.stdout)
        total += len(batch)
    seconds = time.perf_counter() - start
    if total >= BATCH:
        print(file=sys.stderr)
    print(f"classified {total - errors} of {total} texts ({errors} errors) in {seconds:.1f}s "
          f"with {analyzer.model_version}", file=sys.stderr)
    return 0
