"""`make run`'s console: one line per phase, everything else in its log file, and a failure that names
the step, shows the end of its log and says where the log is."""

import io
import logging
import warnings

import dagster as dg
import pytest
from tqdm import tqdm

from vision_assets.console import failure_report, phase, run_logger


def test_a_phase_prints_one_line_and_logs_the_rest(tmp_path, capsys):
    log = tmp_path / "logs" / "phase.log"
    with phase("Landed", log) as landing:
        print("a chatty library")
        logging.getLogger("some.library").info("an info line")
        warnings.warn("a deprecation", DeprecationWarning, stacklevel=1)
        landing.summary = "3 days written"
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("Landed: 3 days written (") and out[0].endswith(" s)")
    written = log.read_text()
    assert "a chatty library" in written and "an info line" in written and "a deprecation" in written


def test_a_failing_phase_says_where_its_log_is(tmp_path, capsys):
    log = tmp_path / "phase.log"
    with pytest.raises(SystemExit), phase("Landed", log):
        raise RuntimeError("the disk is full")
    err = capsys.readouterr().err
    assert "Landed: failed after" in err and str(log) in err
    assert "RuntimeError: the disk is full" in err  # the end of the log: the traceback's last line


@dg.op
def prepares(context) -> int:
    context.log.info("preparing the warehouse")
    return 1


@dg.op
def breaks(context, _prepared: int) -> None:
    context.log.info("reading the day's orders")
    raise ValueError("orders.amount is not a number")


@dg.job
def two_steps():
    breaks(prepares())


def test_a_failed_run_names_the_step_its_error_and_the_end_of_its_log(tmp_path):
    log = tmp_path / "run.log"
    with tqdm(total=2, file=io.StringIO()) as bar:
        job = dg.Definitions(jobs=[two_steps], loggers={"vision": run_logger(log, bar)}).resolve_job_def("two_steps")
        result = job.execute_in_process(run_config={"loggers": {"vision": {}}}, raise_on_error=False)
        assert bar.n == 2  # both steps ended: one succeeded, one failed
    assert not result.success
    report = failure_report(result, log)
    assert report.splitlines()[0] == "Step breaks failed: ValueError: orders.amount is not a number"
    assert str(log) in report
    assert "reading the day's orders" in report
    assert "preparing the warehouse" not in report  # another step's lines are not this step's log
