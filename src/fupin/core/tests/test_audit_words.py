"""The audit log in words (issue 21): model verbose names, not ``registry.household``; region names; no English
summary in the Chinese page; role names, not codes."""

import pytest
from django.utils import translation

from fupin import testing
from fupin.core import audit
from fupin.core.models import AuditEvent
from fupin.core.templatetags.audit_tags import object_label, role_label


@pytest.mark.django_db
def test_audit_log_page_reads_as_chinese(client, tree):
    users = testing.make_users(tree)
    audit.record(actor=users["county"], action=AuditEvent.Action.READ_PERSONAL, object_type="registry.household",
                 object_id="7", region_code="533301205", summary="dossier 5333 as of 2020")
    client.force_login(users["county"])
    html = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "registry.household" not in html and "dossier 5333" not in html
    assert "古登乡" in html


def test_labels():
    with translation.override("zh-hans"):
        assert object_label("registry.search") == "农户查找"
        assert role_label("clerk") == "村级录入员"
