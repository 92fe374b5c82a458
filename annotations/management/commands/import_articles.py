"""`manage.py import_articles PATH ... [--format F] [--url URL ...] [--feed URL] [--wait]`.

Creates one import job per file (and one for the URLs, one per feed) and prints each job's id;
a worker runs them. With --wait it shows progress on a terminal, waits for the jobs to end,
and prints each job as one line of JSON (the API's representation), last; the exit status is
non-zero if any job failed or was cancelled.
"""

import json
import sys
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotations.api.imports import ImportJobSerializer
from annotations.importing.formats import FORMATS
from annotations.models import ImportJob
from annotations.services import start_import

POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = "Import articles from files, URLs or feeds as background jobs."

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="*", help="Files: jsonl, json, csv, txt, html, zip...")
        parser.add_argument("--format", choices=FORMATS, default="", help="Skip detection.")
        parser.add_argument("--url", nargs="+", action="extend", default=[], help="Pages.")
        parser.add_argument("--feed", action="append", default=[], help="An RSS/Atom feed URL.")
        parser.add_argument("--wait", action="store_true", help="Wait for the jobs to end.")
        parser.add_argument("--timeout", type=float, default=None, help="Seconds to wait.")

    def handle(self, *args, paths, format, url, feed, wait, timeout, **options) -> None:
        if not (paths or url or feed):
            raise CommandError("Give at least one PATH, --url or --feed.")
        for path in paths:
            if not Path(path).is_file():
                raise CommandError(f"No such file: {path}")
        jobs = []
        try:
            for path in paths:
                with open(path, "rb") as handle:
                    jobs.append(
                        start_import(
                            created_by=None,
                            upload=File(handle, name=Path(path).name),
                            name=Path(path).name,
                            input_format=format,
                        )
                    )
            if url:
                jobs.append(start_import(created_by=None, urls=url))
            for feed_url in feed:
                jobs.append(start_import(created_by=None, feed=feed_url))
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        for job in jobs:
            self.stderr.write(f"Import job #{job.pk} queued ({job.original_name or job.format}).")
            if not wait:
                self.stdout.write(str(job.pk))
        if not wait:
            return
        finished = [self._wait(job, timeout=timeout) for job in jobs]
        for job in finished:
            self.stdout.write(json.dumps(ImportJobSerializer(job).data, ensure_ascii=False))
        if any(
            job.status in (ImportJob.Status.FAILED, ImportJob.Status.CANCELLED) for job in finished
        ):
            sys.exit(1)

    def _wait(self, job: ImportJob, *, timeout: float | None) -> ImportJob:
        started = time.monotonic()
        show = self.stderr.isatty()
        with tqdm(
            total=job.total, unit="article", desc=f"#{job.pk}", disable=not show, file=sys.stderr
        ) as bar:
            while True:
                job.refresh_from_db()
                bar.total = job.total
                bar.n = job.created + job.updated + job.duplicates + job.failed
                bar.set_postfix(
                    created=job.created,
                    updated=job.updated,
                    duplicates=job.duplicates,
                    failed=job.failed,
                )
                if job.is_finished:
                    return job
                if timeout is not None and time.monotonic() - started > timeout:
                    raise CommandError(f"Import job #{job.pk} still {job.status} after {timeout}s.")
                time.sleep(POLL_SECONDS)
