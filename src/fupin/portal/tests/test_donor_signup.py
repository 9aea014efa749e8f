"""A netizen signs up as a donor on the portal: a login of the role donor without a region (it never sees personal
data), signed in at once and sent to pledge; validated with Chinese messages, rate-limited like the feedback form."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from fupin import testing
from fupin.core.models import AuditEvent
from fupin.core.roles import Role
from fupin.welfare import services as welfare
from fupin.welfare.models import Donor, Pledge

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
PASSWORD = "爱心助学-2026-春雨"


def _data(username="xiaowang", **extra):
    return {"display_name": "爱心网友小王", "username": username, "password1": PASSWORD, "password2": PASSWORD,
            "contact": "微信 xiaowang", **extra}


def test_a_netizen_signs_up_lands_on_the_donor_page_and_sees_no_personal_data(tree, users):
    households = [testing.make_household(tree["533301205201"]) for _ in range(6)]
    client = Client()
    page = client.get(reverse("portal_donor_signup"), **ZH).content.decode()
    assert "成为捐赠人" in page and 'name="password1"' in page
    r = client.post(reverse("portal_donor_signup"), _data())
    assert r.status_code == 302 and r["Location"] == reverse("welfare_donor")
    user = get_user_model().objects.get(username="xiaowang")
    donor = Donor.objects.get(user=user)
    assert user.has_role(Role.DONOR) and user.region_id is None and user.role_codes == {"donor"}
    assert (donor.kind, donor.display_name, donor.contact) == ("person", "爱心网友小王", "微信 xiaowang")
    assert AuditEvent.objects.filter(object_type="welfare.donor", object_id=str(donor.pk), user=user).exists()

    assert client.get(reverse("welfare_donor")).status_code == 200  # signed in
    assert households[0].number not in client.get(reverse("households")).content.decode()
    assert client.get(reverse("household", args=[households[0].pk])).status_code == 404
    assert client.get(reverse("welfare")).status_code == 302  # the staff list sends a donor to its own page
    assert client.get(reverse("welfare_project_new")).status_code == 403


def test_signing_up_from_a_need_goes_on_to_pledge_to_it(tree, users):
    households = [testing.make_household(tree["533301205201"]) for _ in range(6)]
    need = welfare.propose_need(actor=users["clerk"], household=households[0], kind="school", story="学费。",
                                goal=Decimal(3000), consent_by="户主", consent_on=dt.date(2026, 11, 1),
                                consent_method="signed")
    welfare.review_need(actor=users["township"], need=need, publish=True)
    public = Client().get(reverse("portal_need", args=[need.pk])).content.decode()
    assert f"{reverse('portal_donor_signup')}?need={need.pk}" in public
    client = Client()
    r = client.post(f"{reverse('portal_donor_signup')}?need={need.pk}", _data())
    assert r["Location"] == f"{reverse('welfare_pledge')}?need={need.pk}"
    assert client.post(r["Location"], {"amount": "300"}).status_code == 302
    assert Pledge.objects.get().donor.user.username == "xiaowang"


def test_the_form_explains_what_is_wrong_in_chinese(db):
    client = Client()
    testing.make_user("taken", None, Role.DONOR)
    cases = [
        (_data(password2="不一样的密码-2026"), "两次输入的密码不一致"),
        (_data(password1="12345678901", password2="12345678901"), "密码只包含数字"),
        (_data(username="Taken"), "该登录名已被使用"),
        (_data(username="有 空格"), "只能使用字母、数字和 @ . + - _"),
        (_data(display_name=""), "这个字段是必填项"),
    ]
    for data, message in cases:
        r = client.post(reverse("portal_donor_signup"), data, **ZH)
        assert r.status_code == 400 and message in r.content.decode(), message
    assert not Donor.objects.exists() and get_user_model().objects.count() == 1


def test_sign_ups_are_rate_limited(db):
    client = Client()
    for i in range(5):
        assert client.post(reverse("portal_donor_signup"), _data(f"netizen{i}")).status_code == 302
        client.logout()
    r = client.post(reverse("portal_donor_signup"), _data("netizen5"), **ZH)
    assert r.status_code == 429 and "注册次数过多" in r.content.decode()
    assert Donor.objects.count() == 5


def test_a_signed_in_user_does_not_sign_up_again(users):
    staff = Client()
    staff.force_login(users["clerk"])
    page = staff.get(reverse("portal_donor_signup"), **ZH).content.decode()
    assert "工作人员账号" in page and 'name="password1"' not in page
    assert staff.post(reverse("portal_donor_signup"), _data()).status_code == 200
    assert not Donor.objects.exists()
