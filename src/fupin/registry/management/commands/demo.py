from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.audit import set_channel
from fupin.registry.demo import CHUNK, DemoError, generate
from fupin.registry.models import Household
from fupin.registry.synth import CHUNK as SYNTH_CHUNK


class Command(BaseCommand):
    help = (
        "Generate a synthetic demo registry (演示数据，纯属虚构) over the real villages of an area. "
        "Default: Yunnan (53), which always includes 怒江州."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--households", type=int, required=True, help="number of households (> 0)")
        parser.add_argument("--province", default="53",
                            help="province code, or any region code as the area, or provinces '52,53', or 'all' "
                                 "(the nation, in realistic provincial shares) (default 53)")
        parser.add_argument("--to", nargs=2, metavar=("parquet", "DIR"),
                            help="write Parquet files partitioned by province under DIR instead of the database "
                                 "(villages from the division files; no database needed)")
        parser.add_argument("--chunk", type=int, default=None,
                            help=f"households generated and written at a time; bounds memory (default {CHUNK:,} "
                                 f"into the database, {SYNTH_CHUNK:,} per process to Parquet)")
        parser.add_argument("--processes", type=int, default=None,
                            help="--to parquet: processes drawing provinces at once (default: the cores, at most 4)")
        parser.add_argument("--seed", type=int, default=2014, help="random seed; the same seed gives the same data")
        parser.add_argument("--replace", action="store_true", help="delete earlier demo data of the area first")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the registry has households")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:demo")
        to = None
        if opts["to"]:
            kind, to = opts["to"]
            if kind != "parquet":
                raise CommandError(f"--to {kind}: only 'parquet' is known")
        if opts["if_empty"] and to is None and Household.objects.exists():
            self.stdout.write("registry not empty; demo data not generated")
            return
        try:
            r = generate(
                households=opts["households"],
                area=str(opts["province"]),
                seed=opts["seed"],
                replace=opts["replace"],
                to=to,
                chunk=opts["chunk"],
                processes=opts["processes"],
                progress=lambda stage, n: self.stderr.write(f"{stage}: {n:,} households") if opts["verbosity"] > 1 else None,
            )
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"demo data (synthetic) in {r.area}: {r.households:,} households, {r.members:,} members, "
            f"{r.incomes:,} income years, {r.cadres:,} cadres over {r.villages:,} villages "
            f"({r.measures:,} assistance measures, {r.rural_population:,} rural population figures) in {r.seconds:.1f}s "
            f"(generate {r.timings.get('generate', 0):.1f}s, write {r.timings.get('write', 0):.1f}s)"
            + (f"; replaced {r.replaced:,} earlier demo households" if r.replaced else "")
            + (f"; Parquet under {to}" if to else "")
        )
        if to:
            import resource

            self.stdout.write(
                f"{int(r.timings['processes'])} drawing processes, peak memory {r.timings['peak_mib_per_process']:,.0f} MiB "
                f"each at most, {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB in this process; "
                f"{r.members / max(r.seconds, 1e-9):,.0f} persons/s")
