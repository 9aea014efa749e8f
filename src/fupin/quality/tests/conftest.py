import pytest

from fupin.quality.tests import helpers


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def base(tree, users):
    """Four clean households: poor (古登乡 季加村), exited (六库 赖茂村), monitored (福贡 腊竹底村), poor (贵州)."""
    helpers.lines()
    return {
        "poor": helpers.clean_household(tree["533301205201"]),
        "exited": helpers.clean_household(tree["533301101201"], status="exited"),
        "monitored": helpers.clean_household(tree["533323101201"], status="monitored", user=users["county"]),
        "guizhou": helpers.clean_household(tree["520102001001"]),
    }
