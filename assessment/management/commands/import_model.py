"""Write a model YAML from a provider's published matrix (CAIQ v4 workbook or OSCAL SSP); loads nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessment.importers import caiq, oscal_ssp
from assessment.importers.common import MAX_BYTES, ImportRefused, Options
from assessment.modelfile import ModelFileError, to_yaml, validate


def read(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)  # one byte over the limit is enough to refuse
    except OSError as exc:
        raise CommandError(f"{path}: cannot read the file: {exc.strerror}") from exc
    except ValueError as exc:  # e.g. a NUL byte in the path
        raise CommandError(f"{path}: cannot read the file: {exc}") from exc
    if len(data) > MAX_BYTES:
        raise CommandError(f"{path}: the file is over {MAX_BYTES // (1024 * 1024)} MB; nothing was written")
    return data


def refused(path: Path, errors: list[str], total: int) -> CommandError:
    lines = "\n".join(f"  {error}" for error in errors)
    return CommandError(f"{path}: {total:,} error{'s' if total != 1 else ''}; nothing was written:\n{lines}")


class Command(BaseCommand):
    help = "Write a responsibility model YAML from a CAIQ v4 workbook or a provider's OSCAL SSP, for review."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # `--version` is the model's version here, not Django's: ours replaces the built-in option.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the provider's matrix (.xlsx or .json)")
        parser.add_argument("--format", required=True, choices=("caiq", "oscal-ssp"))
        parser.add_argument("--slug", required=True)
        parser.add_argument("--version", required=True, dest="model_version")
        parser.add_argument("--provider", default="", help="the provider's name")
        parser.add_argument("--deployment-name", default="", help="the service the matrix describes")
        parser.add_argument("--catalog", type=Path, help="oscal-ssp: the OSCAL catalog with titles and statements")
        parser.add_argument("--out", type=Path, help="where to write the YAML (default: SLUG-VERSION.yaml)")

    def handle(self, *args, path: Path, format: str, slug: str, model_version: str, **options):
        out = options["out"] or Path(f"{slug}-{model_version}.yaml")
        if out.exists():
            raise CommandError(f"{out}: exists; nothing was written (choose another --out, or remove it)")
        settings = Options(slug, model_version, options["provider"], options["deployment_name"])
        data = read(path)
        try:
            if format == "caiq":
                model, notes = caiq.import_caiq(data, settings)
            else:
                catalog = read(options["catalog"]) if options["catalog"] else None
                model, notes = oscal_ssp.import_ssp(data, settings, catalog)
            spec = validate(model)
        except ImportRefused as exc:
            raise refused(path, exc.errors, exc.total) from exc
        except ModelFileError as exc:  # e.g. a bad --slug: the same words load_model would use
            raise refused(path, exc.errors, exc.total) from exc
        try:
            out.write_text(to_yaml(spec), encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{out}: cannot write the file: {exc.strerror}") from exc
        summary, *attention = notes
        self.stdout.write(f"Wrote {out}: {summary}.")
        if attention:
            self.stdout.write(f"Needs your attention ({len(attention)}):")
            for note in attention:
                self.stdout.write(f"  {note}")
        self.stdout.write(f"Review it, then: manage.py load_model {out} --dry-run")
