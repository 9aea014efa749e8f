"""Fixtures of the indicator tests (the rows they use are written by ``factories``)."""

import pytest

from fupin.indicators import definitions

from .factories import TEST_INDICATORS


@pytest.fixture
def inds():
    """The test indicators, registered for one test only."""
    definitions.register(*TEST_INDICATORS)
    yield {i.code: i for i in TEST_INDICATORS}
    for i in TEST_INDICATORS:
        definitions.INDICATORS.pop(i.code, None)
