"""Validate a responsibility model file and load it as a new version."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessment.modelfile import ModelFileError, parse_bytes
from assessment.services.catalog import ModelLoadRefused, model_load
from assessment.yamlsafe import MAX_BYTES


class Command(BaseCommand):
    help = "Validate a responsibility model YAML file and load it (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the model file (YAML)")
        parser.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
        parser.add_argument("--publish", action="store_true", help="publish the version after loading")

    def handle(self, *args, path: Path, dry_run: bool, publish: bool, **options):
        try:
            with path.open("rb") as file:
                # One byte over the limit is enough to refuse; /dev/zero or a huge file is never read whole.
                data = file.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"{path}: cannot read the file: {exc.strerror}") from exc
        except ValueError as exc:  # e.g. a NUL byte in the path
            raise CommandError(f"{path}: cannot read the file: {exc}") from exc
        try:
            spec = parse_bytes(data)
        except ModelFileError as exc:
            lines = "\n".join(f"  {error}" for error in exc.errors)
            raise CommandError(
                f"{path}: {exc.total:,} error{'s' if exc.total != 1 else ''}; nothing was loaded:\n{lines}"
            ) from exc
        try:
            result = model_load(spec=spec, publish=publish, dry_run=dry_run)
        except ModelLoadRefused as exc:
            raise CommandError(f"{path}: {exc}") from exc
        self.stdout.write(result.message)
