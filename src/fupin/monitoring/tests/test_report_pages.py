"""A village clerk reports a sudden difficulty on the risk report page; the alert is in the township's queue at
once; a household of another region cannot be reported; roles without the right see no form."""

from django.urls import reverse
from django.utils import timezone

from fupin.monitoring.models import Alert, RiskReport


def test_clerk_reports_and_the_township_queue_shows_the_alert(client, users, planted):
    client.force_login(users["clerk"])
    url = reverse("monitoring_reports")
    page = client.get(url).content.decode()
    assert 'hx-get="/households/pick/"' in page and 'name="kind"' in page  # the household picker (issue 21)
    today = timezone.localdate()
    data = {"household": planted["none"].number, "kind": "disaster", "occurred_on": today.isoformat(),
            "source": "cadre", "reporter": "李四", "loss": "12000", "description": "山洪冲毁房屋和农田"}
    r = client.post(url, data, follow=True)
    body = r.content.decode()
    a = Alert.objects.get(rule="REPORTED_DISASTER", household=planted["none"])
    assert f"#{a.pk}" in body and "山洪冲毁房屋和农田" in body and "李四" in body
    report = RiskReport.objects.get()
    assert report.recorded_by == users["clerk"] and str(report.loss) == "12000.00"
    # the other county's household does not exist for this clerk; nothing is written
    r = client.post(url, {**data, "household": planted["elsewhere"].number})
    assert r.status_code == 200 and RiskReport.objects.count() == 1
    assert "No household with this number" in r.content.decode() or "本辖区没有该户编号" in r.content.decode()
    # a date in the future is the service's refusal, next to the field
    r = client.post(url, {**data, "occurred_on": (today + timezone.timedelta(days=3)).isoformat()})
    assert "发生日期不能晚于今天" in r.content.decode() and RiskReport.objects.count() == 1
    client.force_login(users["township"])
    queue = client.get(reverse("monitoring_queue")).content.decode()
    assert planted["none"].number in queue and "报告遭受自然灾害" in queue


def test_analyst_reads_masked_and_cannot_report(client, users, planted):
    RiskReport.objects.create(household=planted["none"], region_code=planted["none"].village_id, kind="illness",
                              occurred_on=timezone.localdate(), description="重病", source="self", reporter="赵六")
    client.force_login(users["analyst"])
    url = reverse("monitoring_reports")
    page = client.get(url).content.decode()
    assert "赵*" in page and "赵六" not in page and 'name="household"' not in page
    assert client.post(url, {"household": planted["none"].number}).status_code == 403


def test_a_report_that_raises_no_alert_says_why(client, users, planted):
    """A monitored household is not watched by the report rules (it is already helped): the page says so instead of
    a bare "recorded"; an event older than the rule looks back says that."""
    client.force_login(users["clerk"])
    url = reverse("monitoring_reports")
    today = timezone.localdate()
    data = {"household": planted["monitored"].number, "kind": "illness", "occurred_on": today.isoformat(),
            "source": "self", "reporter": "", "loss": "", "description": "户主住院"}
    body = client.post(url, data, follow=True).content.decode()
    assert not Alert.objects.filter(household=planted["monitored"], rule="REPORTED_ILLNESS").exists()
    assert "未产生预警" in body and "本规则只对脱贫户和一般农户预警" in body
    old = (today - timezone.timedelta(days=200)).isoformat()
    body = client.post(url, {**data, "household": planted["none"].number, "occurred_on": old},
                       follow=True).content.decode()
    assert "未产生预警" in body and "超过 90 天" in body
