"""Sentence splitting for an import, off the thread that writes, straight into COPY data.

Splitting is pure Python, so in a thread beside the writer it holds the GIL that the writer needs
between its database round trips: measured, the two threads then mostly took turns. From its
second batch on, an import splits in a process of its own; a one-batch import (the common upload
of a few articles) never pays for starting one. That process also writes each article's sentence
rows in PostgreSQL's COPY text format, so the writer only passes them on (formatting 270,000 rows
a row at a time cost the writer more than anything else it did).

The process is a plain `python -m annotations.importing.splitting` on pipes, not a
multiprocessing child: Celery's prefork workers are daemonic processes, which multiprocessing
forbids to have children, and a child on a pipe ends by itself when the worker dies (its input
reaches end-of-file), even a SIGKILLed one. Batches cross the pipes in `marshal` format: the
fastest for lists of strings and numbers, and only ever read from our own two processes. The
answers come back in the order the batches went in; the oldest pending one is the next read.
"""

import collections
import contextlib
import logging
import marshal
import subprocess
import sys
import threading
from concurrent.futures import Future
from typing import IO, BinaryIO

from annotations.segmentation import sentence_offsets

logger = logging.getLogger(__name__)

Texts = list[tuple[int, str, str]]  # (article id, body, language)
# The Sentence fields in the order of sentence_copy_data's columns.
SENTENCE_COPY_FIELDS = ["article", "position", "start", "end", "text", "paragraph"]


def sentence_copy_data(texts: Texts) -> list[bytes]:
    """For each (article id, body, language): its sentences as rows of COPY text format, UTF-8.

    Columns SENTENCE_COPY_FIELDS; `text` is escaped as COPY requires (backslash, tab, newline,
    carriage return). The import's tests read every sentence back against its body.
    """
    return [
        "".join(
            f"{pk}\t{position}\t{start}\t{end}\t{_escaped(body[start:end])}\t{paragraph}\n"
            for position, (start, end, paragraph) in enumerate(sentence_offsets(body, language))
        ).encode()
        for pk, body, language in texts
    ]


def _escaped(value: str) -> str:
    value = value.replace("\\", "\\\\")
    return value.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class BatchSplitter:
    """`submit(texts)` starts a batch's `sentence_copy_data` and returns its future; `result()`
    waits for one; `close()` ends the process. Falls back to splitting in the calling thread when
    the process cannot start or dies.

    Batches go through the process in order, one at a time. `submit` may run in one thread and
    `result` in another (the import's reader and writer). Used as a context manager, it ends the
    process on exit.
    """

    def __init__(self, *, use_process: bool, from_first_batch: bool = False) -> None:
        self._use_process = use_process
        self._from_first_batch = from_first_batch  # a process kept for many chunks (run.py)
        self._process: subprocess.Popen[bytes] | None = None
        self._pending: collections.deque[Future[list[bytes]]] = collections.deque()
        self._reading = threading.Lock()
        self._batches = 0

    def __enter__(self) -> "BatchSplitter":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def submit(self, texts: Texts) -> Future[list[bytes]]:
        self._batches += 1
        future: Future[list[bytes]] = Future()
        if self._use_process and (self._batches > 1 or self._from_first_batch):
            try:
                process = self._started()
                self._pending.append(future)
                stdin, _ = _pipes(process)
                marshal.dump(texts, stdin)
                stdin.flush()
                return future
            except (OSError, ValueError) as exc:  # could not start, or died: a broken pipe
                self._give_up(exc)
        future.set_result(sentence_copy_data(texts))
        return future

    def result(self, future: Future[list[bytes]], texts: Texts) -> list[bytes]:
        """The offsets of a submitted batch (`texts` is what was submitted)."""
        with self._reading:
            while not future.done() and (process := self._process) is not None:
                try:
                    answer = marshal.load(_pipes(process)[1])  # noqa: S302 (our own process)
                except (OSError, EOFError, ValueError) as exc:
                    self._give_up(exc)
                    break
                self._pending.popleft().set_result(answer)
        if future.done():
            return future.result()
        return sentence_copy_data(texts)

    @property
    def idle(self) -> bool:
        """No batch submitted and not yet answered: the process may serve another import."""
        return not self._pending

    def close(self) -> None:
        self._use_process = False
        process, self._process = self._process, None
        if process is not None:
            _end(process)

    def _started(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            self._process = subprocess.Popen(  # noqa: S603 (our own module, no shell)
                [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE
            )
        return self._process

    def _give_up(self, error: Exception) -> None:
        """Split in place from now on; pending batches are split in place as they are asked for."""
        if self._use_process:
            logger.warning(
                "Sentence-splitting process failed (%r); splitting in the worker.", error
            )
        self._use_process = False
        process, self._process = self._process, None
        if process is not None:
            _end(process, kill=True)


def _pipes(process: subprocess.Popen[bytes]) -> tuple[IO[bytes], IO[bytes]]:
    """The process's stdin and stdout (`_started` always opens both as pipes)."""
    if process.stdin is None or process.stdout is None:
        raise OSError("the sentence-splitting process has no pipes")
    return process.stdin, process.stdout


def _end(process: subprocess.Popen[bytes], *, kill: bool = False) -> None:
    stdin, stdout = _pipes(process)
    with contextlib.suppress(OSError):
        stdin.close()  # its end-of-file: the process exits
    if kill:
        process.kill()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    stdout.close()


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """The process's loop: each batch in, its COPY data out, until end-of-file."""
    while True:
        try:
            texts = marshal.load(requests)  # noqa: S302 (from the worker that started us)
        except EOFError:
            return
        marshal.dump(sentence_copy_data(texts), answers)
        answers.flush()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
