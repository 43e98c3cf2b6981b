import pytest
import torch

from spoofcm.errors import SpoofcmError
from spoofcm.statedict import check_fits


def test_check_fits_names_keys_and_shapes():
    expected = {"a": torch.zeros(2, 3), "b": torch.zeros(4)}
    check_fits({"a": torch.ones(2, 3), "b": torch.ones(4)}, expected, "x.pt weights")
    with pytest.raises(SpoofcmError, match=r"x.pt weights do not fit the model \(missing \['b'\]"):
        check_fits({"a": torch.ones(2, 3), "c": torch.ones(1)}, expected, "x.pt weights")
    with pytest.raises(SpoofcmError, match=r"'a' has shape \(3, 2\), the model expects \(2, 3\)"):
        check_fits({"a": torch.ones(3, 2), "b": torch.ones(4)}, expected, "x.pt weights")
