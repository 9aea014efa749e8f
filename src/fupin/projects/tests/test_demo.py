"""The demo: fund lines that never overdraw, projects tied to demo households' measures, disbursements within the
allocations, the seeds' plans with done and overdue tasks."""

from django.core.management import call_command
from django.db.models import Sum

from fupin.lifecycle.models import Measure
from fupin.projects import services
from fupin.projects.models import Allocation, Beneficiary, Disbursement, FundLine, Project, Task


def test_demo_projects(tree, users):
    from fupin.registry.demo import generate

    generate(households=300, area="53", seed=3)
    call_command("demo_projects", "--if-empty", "--year", "2019")
    assert Project.objects.filter(synthetic=True).count() > 10
    for line in FundLine.objects.all():
        held, out = services.line_totals(line)
        assert out <= held, line.code
    for row in Disbursement.objects.values("project", "line").annotate(s=Sum("amount")):
        allocated = Allocation.objects.filter(project=row["project"], source=row["line"]).aggregate(
            s=Sum("amount"))["s"]
        assert row["s"] <= allocated
    assert Measure.objects.filter(project__isnull=False).exists()
    m = Measure.objects.filter(project__isnull=False).first()
    assert Beneficiary.objects.filter(project=m.project, household=m.household).exists()
    assert Task.objects.filter(plan__code="yunnan-2019-2020", done_on__isnull=False).exists()
    assert Task.objects.filter(plan__code="yunnan-2019-2020", done_on__isnull=True).exists()
    n = Project.objects.count()
    call_command("demo_projects", "--if-empty")
    assert Project.objects.count() == n
