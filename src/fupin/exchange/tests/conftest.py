import datetime as dt

import pytest

from fupin.registry.demo import generate

AS_OF = dt.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def registry(tree):
    """A synthetic registry over the test tree's villages (about 300 households)."""
    return generate(households=300, area="53", seed=11)


@pytest.fixture
def planted(registry):
    from fupin.exchange import demo

    return demo.generate(as_of=AS_OF, planted=4, seed=3)
