"""``keras.applications`` networks for the paper's figure: what is refused before any
network is built."""

import pytest

from stratum_jupyter.errors import ModelInputError
from stratum_jupyter.keras.applications import SMALLEST, application

pytestmark = pytest.mark.slow  # imports Keras


def test_unknown_network_and_too_small_an_input_are_named():
    with pytest.raises(ModelInputError, match="name: 'VGG99' is not a keras.applications "
                                              "network known here"):
        application("VGG99")
    with pytest.raises(ModelInputError, match="size: 70 is below the 71 pixels Xception"):
        application("Xception", 70)
    assert SMALLEST["InceptionResNetV2"] == 75
