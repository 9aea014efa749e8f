"""Text and length checks (core.params.model_text_errors) cover risk reports and assistance measures, not only the
registry: control and direction-control characters and over-long values are refused with the field named."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from fupin.lifecycle.models import Measure
from fupin.lifecycle.services.measures import add_measure, update_measure
from fupin.monitoring.models import RiskReport
from fupin.monitoring.services import report_risk

pytestmark = pytest.mark.reliability

HOSTILE = ["病\u202e危", "住院\x00", "x\x1b[31m"]


@pytest.mark.django_db
@pytest.mark.parametrize("text", HOSTILE)
def test_risk_report_text_is_checked(users, households, text):
    h = households["533301205201"]
    with pytest.raises(ValidationError) as err:
        report_risk(actor=users["clerk"], household_id=h.pk, kind=RiskReport.Kind.values[0],
                    occurred_on=dt.date.today(), description=text, source=RiskReport.Source.values[0])
    assert "description" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        report_risk(actor=users["clerk"], household_id=h.pk, kind=RiskReport.Kind.values[0],
                    occurred_on=dt.date.today(), description="突发重病", source=RiskReport.Source.values[0],
                    reporter="张" * 101)
    assert "reporter" in err.value.message_dict
    assert not RiskReport.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("text", HOSTILE)
def test_measure_text_is_checked(users, households, text):
    h = households["533301205201"]
    data = {"type": "01", "description": text, "start_date": dt.date.today(), "responsible": "帮扶责任人"}
    with pytest.raises(ValidationError) as err:
        add_measure(actor=users["clerk"], household=h, data=data)
    assert "description" in err.value.message_dict
    measure = add_measure(actor=users["clerk"], household=h, data={**data, "description": "产业帮扶"})
    with pytest.raises(ValidationError) as err:
        update_measure(actor=users["clerk"], measure=measure, responsible=text)
    assert "responsible" in err.value.message_dict
    assert Measure.objects.get(pk=measure.pk).responsible == "帮扶责任人"
