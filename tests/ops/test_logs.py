"""Structured logs carry the run id."""

import json
import logging

from langnghe import logs


def test_json_logs_carry_the_run_id(capsys):
    logs.setup("INFO", "json")
    with logs.run_id("cycle-7"):
        logging.getLogger("langnghe.test").info("xin chào %s", "công đoàn")
    logging.getLogger("langnghe.test").info("outside")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert lines[0]["run_id"] == "cycle-7" and lines[0]["msg"] == "xin chào công đoàn"
    assert lines[1]["run_id"] == "-"


def test_text_logs_name_the_run(capsys):
    logs.setup("INFO", "text")
    with logs.run_id("cycle-8"):
        logging.getLogger("x").warning("hello")
    assert "run=cycle-8" in capsys.readouterr().err
