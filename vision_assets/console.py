"""What a person running ``make run`` reads: one line per phase with its counts and elapsed time, a
progress bar while a phase works, and, when something fails, the failing step, the last lines of its log
and where the whole log is. Dagster's and dbt's logs, library warnings and anything else printed while a
phase works go to a file under ``data/logs/`` instead of the terminal.
"""

import contextlib
import logging
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
from dagster._core.log_manager import LOG_RECORD_METADATA_ATTR
from tqdm import tqdm

LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"
FAILURE_TAIL_LINES = 15


def progress(total: int, unit: str, description: str) -> tqdm:
    """A progress bar on the terminal, whatever stdout and stderr are redirected to meanwhile."""
    return tqdm(
        total=total,
        unit=f" {unit}",
        desc=description,
        file=sys.__stderr__,  # the terminal, while a phase redirects sys.stderr to its log
        leave=False,
        dynamic_ncols=True,
        disable=None,  # not drawn when the terminal is not a TTY (CI, a log file)
    )


@dataclass
class Phase:
    """A phase of the run: what it reports when it ends, and the log file it writes meanwhile."""

    title: str
    log_path: Path
    summary: str = ""
    started: float = field(default_factory=time.monotonic)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


@contextlib.contextmanager
def phase(title: str, log_path: Path) -> Iterator[Phase]:
    """Run a phase with everything it prints, logs or warns written to ``log_path``; then print one line,
    ``<title>: <summary> (<elapsed>)``. An error escaping the phase prints the last lines of the log (its
    traceback among them) and the log's path, and exits with status 1."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    current = Phase(title, log_path)
    terminal = sys.stderr
    handler = logging.FileHandler(log_path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    root.handlers, root.level = [handler], logging.INFO
    try:
        with (
            open(log_path, "a", encoding="utf-8", buffering=1) as printed,
            contextlib.redirect_stdout(printed),
            contextlib.redirect_stderr(printed),
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("default")  # each warning once, into the log
            logging.captureWarnings(True)
            try:
                yield current
            except BaseException:
                logging.getLogger("vision").exception(f"{title} failed")
                raise
            finally:
                logging.captureWarnings(False)
    except Exception as error:
        tail = _log_lines(log_path)[-FAILURE_TAIL_LINES:]
        print(
            "\n".join([f"{title}: failed after {_duration(current.elapsed)}. Last lines of its log ({log_path}):",
                       *(f"  {line}" for line in tail)]),
            file=terminal,
        )
        raise SystemExit(1) from error
    finally:
        root.handlers, root.level = saved_handlers, saved_level
        handler.close()
    print(f"{title}: {current.summary} ({_duration(current.elapsed)})", flush=True)


def _log_lines(log_path: Path) -> list[str]:
    return log_path.read_text(encoding="utf-8", errors="replace").splitlines() if log_path.exists() else []


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


class _StepProgress(logging.Handler):
    """Moves a progress bar on each step that ends (succeeds, fails or is skipped)."""

    ENDS = frozenset({"STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED"})

    def __init__(self, bar: tqdm):
        super().__init__(level=logging.DEBUG)
        self.bar = bar

    def emit(self, record: logging.LogRecord) -> None:
        event = (getattr(record, LOG_RECORD_METADATA_ATTR, None) or {}).get("dagster_event")
        if event is not None and event.event_type_value in self.ENDS:
            self.bar.update(1)
            self.bar.set_postfix_str(event.step_key or "", refresh=False)


def run_logger(log_path: Path, bar: tqdm) -> dg.LoggerDefinition:
    """A Dagster logger writing every event of a run, DEBUG and up, to ``log_path``, and moving ``bar``."""

    @dg.logger(description="The run's events to a file under data/logs/, and a progress bar over its steps.")
    def file_and_progress(_init_context) -> logging.Logger:
        # Outside logging's registry, as Dagster's own loggers are: each run gets its handlers, not the last
        # run's as well.
        logger = logging.Logger("vision_run", level=logging.DEBUG)  # noqa: LOG001
        handler = logging.FileHandler(log_path, encoding="utf-8")
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        logger.addHandler(handler)
        logger.addHandler(_StepProgress(bar))
        return logger

    return file_and_progress


def failure_report(result: dg.ExecuteInProcessResult, log_path: Path, tail: int = FAILURE_TAIL_LINES) -> str:
    """For each failed step: its key, its error, the last lines the log has about it, and the log's path."""
    lines = _log_lines(log_path)
    report = []
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        while error is not None and error.cause is not None:  # Dagster's wrapper, then the error raised
            error = error.cause
        message = error.message.strip() if error is not None else "no error recorded"
        about_step = [line for line in lines if f" - {event.step_key} - " in line][-tail:]
        report += [f"Step {event.step_key} failed: {message}", f"Last lines of its log ({log_path}):"]
        report += [f"  {line}" for line in about_step] or ["  (nothing logged for this step)"]
    if not report:
        report = [f"The run failed before any step; its log: {log_path}", *lines[-tail:]]
    return "\n".join(report)
