"""The public notice as a PDF: no login, names masked as on the public page, no ID numbers."""


import weasyprint
from django.urls import reverse

from fupin.core.masking import mask_name
from fupin.lifecycle import services
from fupin.registry.models import Member
from fupin.testing import pdf_objects

from .conftest import VILLAGE


def notice_of(users, households):
    h = households[VILLAGE]
    h.status = "non_poor"
    h.save()
    case = services.open_case(actor=users["clerk"], household=h, kind="identification", year=2019, reason="申请")
    services.review(actor=users["clerk"], case=case, approve=True, reason="通过", evidence="纪要")
    return h, services.start_notice(actor=users["clerk"], cases=[case])


def test_notice_pdf(client, users, households, clock):
    h, notice = notice_of(users, households)
    r = client.get(reverse("lifecycle_notice_pdf", args=[notice.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    head = Member.objects.get(household=h, relation="01")
    body = pdf_objects(r.content)
    assert head.id_number.encode() not in body
    public = client.get(reverse("lifecycle_notice", args=[notice.pk])).content.decode()
    assert reverse("lifecycle_notice_pdf", args=[notice.pk]) in public
    assert client.get(reverse("lifecycle_notice_pdf", args=[notice.pk + 999])).status_code == 404


def test_the_printed_notice_masks_names_and_has_no_id_numbers(client, users, households, clock, monkeypatch):
    h, notice = notice_of(users, households)
    printed = []
    real = weasyprint.HTML

    def capture(*, string, **kwargs):
        printed.append(string)
        return real(string=string, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", capture)
    assert client.get(reverse("lifecycle_notice_pdf", args=[notice.pk])).content.startswith(b"%PDF")
    html = printed[0]
    head = Member.objects.get(household=h, relation="01")
    assert h.number in html and mask_name(head.name) in html
    assert head.name not in html
    assert not any(m.id_number in html for m in Member.objects.filter(household=h))
