"""`make bench`: every figure of issue 12 beside its goal, on a database of the bench's own.

See `assessment/bench/`: `run.py` prepares the database and runs the measuring process; one module
per figure group; `report.py` prints the table and writes `var/bench/<timestamp>.json` and
`var/bench/latest.json`. Not a timed test: it exits 0 whether figures are ok or over.
"""

import argparse
import json

from django.core.management.base import BaseCommand, CommandError

from assessment.bench import pdf, run


class Command(BaseCommand):
    help = "Measure the issue 12 figures (pages, autosave, PDF, throughput) against their goals; JSON under var/bench/."
    requires_system_checks = []  # it never serves the developer's database; its children run with their own

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="fewer runs and no 500-control model: a smoke test")
        parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument(pdf.CHILD_FLAG, metavar="ASSESSMENT", help=argparse.SUPPRESS)

    def handle(self, *args, quick: bool, inside: bool, pdf_child: str | None, **options):
        if pdf_child or inside:
            if not run.on_bench_database():
                raise CommandError("--inside and --pdf-child run only on the bench database: use `manage.py bench`.")
            if pdf_child:
                self.stdout.write(json.dumps(pdf.child(pdf_child)))
            else:
                run.measure(self.stdout.write, quick=quick)
            return
        status = run.prepare_and_run(self.stdout.write, quick=quick)
        if status:
            raise CommandError(f"the measuring process exited with status {status}")
