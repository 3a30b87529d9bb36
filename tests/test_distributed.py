"""Tensor parallelism on this machine: two processes started by `mlx.launch` (ring backend) run a tiny GLM4-MoE split
by mlx-lm's `shard()` through `LLMRunner(shard=True)`; their logits equal the unsharded model's, full precision and 3-bit."""
import os, shutil, subprocess, sys, textwrap
import numpy as np
import pytest
import mlx.core as mx
from ominix_quant.convert import convert
from ominix_quant.fixtures import tiny_checkpoint
from ominix_quant.policy import Policy, memory_plan
from ominix_quant.runners.llm import LLMRunner

IDS = [[5, 17, 300, 999, 2, 45, 600, 12, 7, 8, 100, 3]]
SCRIPT = textwrap.dedent('''
    import sys
    import numpy as np, mlx.core as mx
    from ominix_quant.runners.llm import LLMRunner
    r = LLMRunner(sys.argv[1], activations='float32', progress=False, shard=True)
    logits = r.model(mx.array(%r))
    mx.eval(logits)  # on every rank: each takes part in the sums of the split layers
    if r.group.rank() == 0: np.save(sys.argv[2], np.array(logits)); print(r, flush=True)
''' % (IDS,))


@pytest.mark.parametrize('recipe', [None, 'moe'])
def test_two_processes_equal_one(tmp_path, recipe):
    launch = shutil.which('mlx.launch', path=os.pathsep.join([os.path.dirname(sys.executable), os.environ.get('PATH', '')]))
    if launch is None: pytest.skip('mlx.launch (MLX\'s launcher) is not installed beside this Python')
    folder = tiny_checkpoint('glm4_moe', tmp_path / 'glm', 'float32', layout='transformers')
    if recipe:
        assert memory_plan(folder, Policy.from_recipe(recipe), shards=2).split_problems == ()
        folder = convert(folder, tmp_path / recipe, Policy.from_recipe(recipe), progress=False).dst
    (tmp_path / 'run.py').write_text(SCRIPT)
    out = subprocess.run([launch, '--backend', 'ring', '-n', '2', '--', sys.executable, str(tmp_path / 'run.py'), str(folder),
                          str(tmp_path / 'logits.npy')], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert 'shard 1 of 2' in out.stdout
    one = np.array(LLMRunner(folder, activations='float32', progress=False).model(mx.array(IDS)))
    two = np.load(tmp_path / 'logits.npy')
    assert np.abs(two - one).max() <= 1e-4 * np.abs(one).max()


def test_shard_alone_is_the_whole_model(tmp_path):
    folder = tiny_checkpoint('glm4_moe', tmp_path / 'glm', 'float32')
    r = LLMRunner(folder, activations='float32', progress=False, shard=True)  # one process: nothing to split
    assert r.group is None and 'shard' not in repr(r)
