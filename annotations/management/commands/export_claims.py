"""python manage.py export_claims --format F -o FILE [filters] [--wait]

Starts an export job like POST /api/v1/exports/. Without --wait the command runs the job itself
(no worker needed); with --wait it queues the job on the Celery worker and follows its progress.
Either way the file lands in FILE and the job row records the run.
"""

import shutil
import sys
import time

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from annotations.audit import record_event
from annotations.exporting.filters import FILTER_NAMES
from annotations.exporting.formats import FORMATS
from annotations.exporting.run import clean_filters, run_export, start_export
from annotations.models import ExportJob


class Command(BaseCommand):
    help = "Export published claims to a file (jsonl, csv, claimreview, webannotation)."

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=list(FORMATS))
        parser.add_argument("-o", "--output", required=True, help="File to write.")
        parser.add_argument(
            "--wait",
            action="store_true",
            help="Hand the job to the Celery worker and wait for it (default: run it here).",
        )
        parser.add_argument("--user", help="Username recorded as the job's creator.")
        parser.add_argument(
            "--poll", type=float, default=0.5, help="Seconds between progress checks (--wait)."
        )
        for name in FILTER_NAMES:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name)

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
        filters = {name: options[name] for name in FILTER_NAMES if options.get(name)}
        try:
            if options["wait"]:
                job = start_export(format=options["format"], filters=filters, created_by=user)
                job = self._follow(job, poll=options["poll"])
            else:
                job = self._run_here(options["format"], filters, user)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in _errors(exc))) from exc
        if job.status not in (ExportJob.Status.SUCCEEDED, ExportJob.Status.PARTIAL):
            raise CommandError(f"Export #{job.pk} {job.status}: {job.errors}")
        with job.output_file.open("rb") as source, open(options["output"], "wb") as target:
            shutil.copyfileobj(source, target)
        self.stdout.write(
            f"Export #{job.pk}: {job.created} claims written to {options['output']}"
            + (f", {job.failed} failed (see the job's errors)" if job.failed else "")
        )

    def _run_here(self, format: str, filters: dict, user) -> ExportJob:
        cleaned = clean_filters(filters)
        with transaction.atomic():
            job = ExportJob.objects.create(format=format, filters=cleaned, created_by=user)
            record_event(
                actor=user,
                action="export.started",
                obj=job,
                changes={"format": format, "filters": cleaned, "via": "export_claims"},
            )
        with tqdm(unit="claim", desc=f"export #{job.pk}", file=sys.stderr) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            return run_export(job.pk, progress=progress)

    def _follow(self, job: ExportJob, *, poll: float) -> ExportJob:
        with tqdm(unit="claim", desc=f"export #{job.pk}", file=sys.stderr) as bar:
            while True:
                job.refresh_from_db()
                if job.total is not None:
                    bar.total = job.total
                done = job.total if job.status == ExportJob.Status.SUCCEEDED else job.created
                bar.update(max((done or 0) - bar.n, 0))
                if job.is_finished:
                    return job
                time.sleep(poll)


def _errors(exc: ValidationError):
    if hasattr(exc, "error_dict"):
        return [(k, [str(m) for e in v for m in e.messages]) for k, v in exc.error_dict.items()]
    return [("error", exc.messages)]
