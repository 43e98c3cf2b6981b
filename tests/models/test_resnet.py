"""ResNet18 back end: [2,2,2,2] BasicBlocks, widths, CBAM placement, shapes."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from spoofcm.models.cbam import CBAM
from spoofcm.models.resnet import BasicBlock, ResNet18

torch.set_num_threads(1)


def test_block_counts_widths_and_strides():
    net = ResNet18(in_channels=1, width=8)
    assert [len(stage) for stage in net.stages] == [2, 2, 2, 2]
    assert sum(isinstance(m, BasicBlock) for m in net.modules()) == 8
    assert [stage[0].conv2.out_channels for stage in net.stages] == [8, 16, 32, 64]
    assert [stage[0].conv1.stride for stage in net.stages] == [(1, 1), (2, 2), (2, 2), (2, 2)]
    assert net.stem[0].kernel_size == (7, 7) and net.stem[0].stride == (2, 2)
    assert net.out_dim == 64
    # 1 stem conv + 8 blocks x 2 convs + 3 downsampling shortcuts
    assert sum(isinstance(m, nn.Conv2d) for m in net.modules()) == 20


def test_parameter_count_matches_standard_resnet18():
    """At width 64 with 3 input channels the trunk is torchvision's resnet18 minus its fc."""
    net = ResNet18(in_channels=3, width=64)
    assert sum(p.numel() for p in net.parameters()) == 11_689_512 - (512 * 1000 + 1000)


@pytest.mark.parametrize("cbam", [True, False])
def test_cbam_in_every_block_or_none(cbam):
    net = ResNet18(width=16, cbam=cbam)
    blocks = [m for m in net.modules() if isinstance(m, BasicBlock)]
    assert all((b.cbam is not None) == cbam for b in blocks)
    assert sum(isinstance(m, CBAM) for m in net.modules()) == (8 if cbam else 0)


def test_cbam_sits_on_the_residual_branch_before_addition():
    """If CBAM zeroes the branch, an identity block must output relu(x): CBAM is applied to the
    second BN's output, before the shortcut is added."""
    torch.manual_seed(0)
    block = BasicBlock(8, 8, cbam=True).eval()
    seen = {}
    block.bn2.register_forward_hook(lambda m, i, o: seen.setdefault("bn2", o))
    block.cbam.register_forward_hook(lambda m, i, o: (seen.setdefault("cbam_in", i[0]), o * 0)[1])
    x = torch.randn(2, 8, 6, 6)
    out = block(x)
    assert torch.equal(seen["cbam_in"], seen["bn2"])
    torch.testing.assert_close(out, torch.relu(x))


@pytest.mark.parametrize("shape", [(2, 1, 64, 200), (1, 1, 32, 17), (3, 1, 256, 9)])
def test_output_shape_for_varied_inputs(shape):
    net = ResNet18(width=8, cbam=True)
    if shape[0] == 1:  # inference scores one utterance at a time; BN then uses running stats
        net.eval()
    assert net(torch.randn(*shape)).shape == (shape[0], 64)
