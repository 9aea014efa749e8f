"""Fund lines and allocations: money moves down the tree, never more than a line holds, and the year's tree sums."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections

from fupin.core.models import AuditEvent
from fupin.projects import selectors, services
from fupin.projects.models import Allocation, FundLevel, FundLine, FundSource
from fupin.projects.services import ProjectError

from .conftest import YEAR


def _down(f, lines, project=None):
    services.allocate(actor=f["nation"], source_id=lines["central"].pk, to_line_id=lines["province"].pk, amount=600_000)
    services.allocate(actor=f["province"], source_id=lines["province"].pk, to_line_id=lines["city"].pk, amount=500_000)
    services.allocate(actor=f["province"], source_id=lines["city"].pk, to_line_id=lines["county"].pk, amount=400_000)
    if project is not None:
        services.allocate(actor=f["county"], source_id=lines["county"].pk, project_id=project.pk, amount=300_000)


def test_allocations_flow_down_and_are_audited(finance, lines, project):
    _down(finance, lines, project)
    held, out = services.line_totals(lines["county"])
    assert (held, out) == (Decimal("450000.00"), Decimal("300000.00"))  # 50,000 own + 400,000 received
    assert AuditEvent.objects.filter(object_type="projects.allocation").count() == 4
    a = Allocation.objects.get(project=project)
    assert a.region_id == "533301205201"


def test_allocation_never_exceeds_the_line(finance, lines, project):
    f = finance
    services.allocate(actor=f["nation"], source_id=lines["central"].pk, to_line_id=lines["province"].pk,
                      amount=1_000_000)
    with pytest.raises(ProjectError, match="exceeds what the line holds"):
        services.allocate(actor=f["nation"], source_id=lines["central"].pk, to_line_id=lines["province"].pk,
                          amount="0.01")
    # the province holds 200,000 own + 1,000,000 received
    services.allocate(actor=f["province"], source_id=lines["province"].pk, to_line_id=lines["city"].pk,
                      amount=1_200_000)
    with pytest.raises(ProjectError):
        services.allocate(actor=f["province"], source_id=lines["province"].pk, to_line_id=lines["city"].pk, amount=1)
    with pytest.raises(ProjectError, match="positive"):
        services.allocate(actor=f["province"], source_id=lines["city"].pk, to_line_id=lines["county"].pk, amount=0)
    # every line: allocated out ≤ own + received, recounted from the rows
    for line in FundLine.objects.all():
        held, out = services.line_totals(line)
        assert out <= held


def test_receivers_must_lie_below_and_match(finance, lines, project):
    f = finance
    other_county = services.create_fund_line(actor=f["other"], code="2019-533323-special", year=YEAR,
                                             level=FundLevel.COUNTY, source=FundSource.SPECIAL, name="福贡县专项",
                                             region_code="533323")
    with pytest.raises(ProjectError, match="lower region"):  # upwards
        services.allocate(actor=f["county"], source_id=lines["county"].pk, to_line_id=lines["city"].pk, amount=1)
    with pytest.raises(ProjectError, match="outside the line's region"):
        services.allocate(actor=f["other"], source_id=other_county.pk, project_id=project.pk, amount=1)
    sector = services.create_fund_line(actor=f["province"], code="2019-53-sector", year=YEAR, level=FundLevel.PROVINCIAL,
                                       source=FundSource.SECTOR, name="行业资金", region_code="53", own_amount=10)
    with pytest.raises(ProjectError, match="same year and source"):
        services.allocate(actor=f["province"], source_id=sector.pk, to_line_id=lines["city"].pk, amount=1)
    # a county's finance bureau cannot allocate from another county's or the province's line
    with pytest.raises(PermissionDenied):
        services.allocate(actor=f["county"], source_id=lines["province"].pk, to_line_id=lines["city"].pk, amount=1)
    with pytest.raises(ProjectError, match="either"):
        services.allocate(actor=f["province"], source_id=lines["province"].pk, amount=1)


def test_lines_are_refused_at_the_wrong_level_or_outside_the_region(finance, users):
    with pytest.raises(ProjectError, match="region of that level"):
        services.create_fund_line(actor=finance["province"], code="x", year=YEAR, level=FundLevel.COUNTY,
                                  source=FundSource.SPECIAL, name="x", region_code="5333")
    with pytest.raises(PermissionDenied):
        services.create_fund_line(actor=finance["county"], code="y", year=YEAR, level=FundLevel.COUNTY,
                                  source=FundSource.SPECIAL, name="y", region_code="533323")
    with pytest.raises(PermissionDenied):  # a clerk is no finance bureau
        services.create_fund_line(actor=users["clerk"], code="z", year=YEAR, level=FundLevel.COUNTY,
                                  source=FundSource.SPECIAL, name="z", region_code="533301")


def test_sub_lines_of_the_smart_city_line(finance, tree):
    f = finance
    line = services.create_fund_line(actor=f["county"], code="2019-533301-smart", year=YEAR, level=FundLevel.COUNTY,
                                     source=FundSource.SMART_CITY, name="智慧城市+扶贫", region_code="533301",
                                     own_amount=2_000_000)
    parts = [services.create_fund_line(actor=f["county"], code=f"2019-533301-smart-{i}", year=YEAR,
                                       level=FundLevel.COUNTY, source=FundSource.SMART_CITY, name=name,
                                       region_code="533301", parent_id=line.pk)
             for i, name in enumerate(["网络基础设施配套", "贫困户资运费补贴", "村级电商以奖代补"])]
    for part, amount in zip(parts, (1_000_000, 600_000, 400_000), strict=True):
        services.allocate(actor=f["county"], source_id=line.pk, to_line_id=part.pk, amount=amount)
    with pytest.raises(ProjectError):
        services.allocate(actor=f["county"], source_id=line.pk, to_line_id=parts[0].pk, amount=1)


def test_the_year_tree_sums_from_the_nation_to_the_project(finance, lines, project, users):
    _down(finance, lines, project)
    roots = selectors.money_tree(finance["nation"], year=YEAR)
    central = next(n for n in roots if n.obj.pk == lines["central"].pk)
    path = [central]
    while path[-1].children:
        path.append(path[-1].children[0])
    assert [n.kind for n in path] == ["line", "line", "line", "line", "project"]
    assert path[-1].obj == project and path[-1].amount == Decimal("300000.00")
    assert central.passed_on == Decimal("600000.00")

    def check(node):
        if node.kind == "line":
            held, _out = services.line_totals(node.obj)
            assert node.passed_on <= held
            for c in node.children:
                check(c)

    for r in roots:
        check(r)
    # the county sees its own line as a root, with the project below it, and not the central line
    county_roots = selectors.money_tree(users["county"], year=YEAR)
    assert [n.obj.code for n in county_roots] == ["2019-533301-special"]
    assert county_roots[0].children[0].obj == project


@pytest.mark.django_db(transaction=True)
def test_two_allocations_at_once_cannot_overdraw(tree):
    """Two finance officers allocate 70 of a line of 100 at the same moment, each in its own connection: the row
    lock makes the second wait and see the first; exactly one succeeds."""
    from fupin import testing
    from fupin.core.roles import Role

    nation = testing.make_user("fin_n", None, Role.SYSADMIN)
    province = testing.make_user("fin_p", tree["53"], Role.FINANCE)
    central = services.create_fund_line(actor=nation, code="c", year=YEAR, level=FundLevel.CENTRAL,
                                        source=FundSource.SPECIAL, name="c", own_amount=100)
    target = services.create_fund_line(actor=province, code="p", year=YEAR, level=FundLevel.PROVINCIAL,
                                       source=FundSource.SPECIAL, name="p", region_code="53")
    barrier = threading.Barrier(2)
    results: list[str] = []

    def worker():
        try:
            barrier.wait()
            services.allocate(actor=nation, source_id=central.pk, to_line_id=target.pk, amount=70,
                              allocated_on=dt.date(2019, 5, 1))
            results.append("ok")
        except ProjectError:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == ["ok", "refused"], connection.vendor
    assert Allocation.objects.filter(source=central).count() == 1
