import datetime as dt
import io

import polars as pl

from fupin.core.permissions import SYSTEM
from fupin.exchange import services
from fupin.registry.models import Member

AS_OF = dt.date(2026, 3, 1)


def parquet(**columns: list[str]) -> bytes:
    buf = io.BytesIO()
    pl.DataFrame(columns).write_parquet(buf)
    return buf.getvalue()


def member_of(village_code: str) -> Member:
    return Member.objects.filter(household__village__code=village_code).order_by("id").first()  # type: ignore[return-value]


def vehicles(*id_numbers: str, plate: str = "云Q00001", as_of: dt.date = AS_OF):
    n = len(id_numbers)
    return services.upload_batch(actor=SYSTEM, dataset="vehicles", as_of=as_of, file_name="v.parquet",
                                 content=parquet(id_number=list(id_numbers), plate=[plate] * n, vehicle_type=["K"] * n,
                                                 registered_on=["2020-01-01"] * n))


def payroll(*id_numbers: str):
    return services.upload_batch(actor=SYSTEM, dataset="payroll", as_of=AS_OF, file_name="p.parquet",
                                 content=parquet(id_number=list(id_numbers), employer=["某局"] * len(id_numbers)))
