"""The import template offers dropdowns for coded columns (issue 21) and still imports as is."""

import io

import pytest
from openpyxl import load_workbook

from fupin.registry import template


@pytest.mark.django_db
def test_coded_columns_have_list_validation():
    wb = load_workbook(io.BytesIO(template.template_workbook()))
    assert wb[template.CODES_SHEET].sheet_state == "hidden"
    sheet = template.SHEETS[0]
    ws = wb[sheet.name]
    formulas = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    coded = [i for i, c in enumerate(sheet.columns) if c.kind == "code" and c.codelist]
    assert coded and len(formulas) >= len(coded)
    assert any(template.CODES_SHEET in f for f in formulas.values())
    lists = wb[template.CODES_SHEET]
    cause = [c for c in sheet.columns if c.codelist == "poverty_cause"]
    if cause:
        values = [cell.value for cell in next(col for col in lists.iter_cols() if col[0].value == "poverty_cause")]
        assert "因病" in values
