"""Import other fact-checkers' ClaimReviews (HTML pages, JSON/JSONL files, Fact Check Tools
`claims:search` answers) as external fact-checks to match claims against."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotations.memory import external


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args, files: list[Path], **options):
        for path in files:
            try:
                data = path.read_bytes()
            except OSError as error:
                raise CommandError(f"{path}: {error.strerror}") from error
            records: list[external.ExternalRecord] = []
            errors: list[external.ExternalError] = []
            for item in external.parse(data, name=path.name):
                if isinstance(item, external.ExternalError):
                    errors.append(item)
                else:
                    records.append(item)
            created, duplicates = external.store(records)
            for failure in errors:
                self.stderr.write(f"{path}: {failure.where}: {failure.message}")
            self.stdout.write(
                f"{path}: {created} new fact-checks, {duplicates} already held, "
                f"{len(errors)} errors"
            )
