"""GLM4-MoE as a family, without a hub: the plan of the released configs (and whether they split N ways), the
runner and the benchmark on a tiny model in the released per-expert layout."""
import json
import pytest
from conftest import cli
from ominix_quant.fixtures import shaped_config, tiny_checkpoint

PARTS = {'embeddings', 'attention', 'dense MLP', 'norms', 'routed experts', 'router', 'shared experts', 'head'}


def test_plan_of_the_released_configs(tmp_path):
    for name, gb in (('glm-4.5-air', 46.786), ('glm-4.5', 154.467)):
        (tmp_path / name).mkdir()
        (tmp_path / name / 'config.json').write_text(json.dumps(shaped_config(name)))
        got = json.loads(cli(['plan', str(tmp_path / name / 'config.json'), '--recipe', 'moe', '--json']))
        assert round(got['total_bytes'] / 1e9, 3) == gb and set(got['components']) == PARTS
    text = cli(['plan', str(tmp_path / 'glm-4.5-air'), '--recipe', 'moe-balanced', '--shards', '2'])
    assert 'cannot split 2 ways' in text and 'model.layers.0.mlp.down_proj: input 10944 in 2 parts' in text


@pytest.fixture(scope='module')
def glm(tmp_path_factory):
    "A tiny GLM4-MoE as released: every expert apart, a prediction layer."
    return tiny_checkpoint('glm4_moe', tmp_path_factory.mktemp('glm') / 'tiny', layout='transformers')


def test_runner_and_bench(glm):
    from ominix_quant.runners.llm import LLMRunner
    r = LLMRunner(glm, progress=False)  # BF16 experts on the CPU: float32 activations (MLX's CPU GatherMM has no bf16)
    assert r.activations == 'float32' and r.generate('To be or not to be', max_tokens=4, chat=False)
    text = cli(['bench', str(glm), '-p', 'bf16', '-p', 'moe', '--no-quality', '--prompt-tokens', '16', '--decode-tokens', '4', '-q'])
    assert '| bf16 |' in text and '| moe |' in text and 'decode tok/s' in text


def test_bench_builds_quantized_folders_layer_by_layer(tmp_path):
    "bench/runner.py --shape: a random-weight folder made quantized (GLM-4.5-Air's BF16 never exists) is what the plan predicts and loads in mlx-lm."
    import sys
    from pathlib import Path
    import mlx.core as mx
    import mlx_lm
    from ominix_quant.fixtures import tiny_config, tokenizer_folder
    from ominix_quant.policy import memory_plan
    sys.path.insert(0, str(Path(__file__).parents[1] / 'bench'))
    from common import shaped_quantized_folder
    cfg = tiny_config('glm4_moe')
    out = shaped_quantized_folder(cfg, tmp_path / 'moe', tokenizer_folder(), 'moe')
    size = sum(f.stat().st_size for f in out.glob('*.safetensors'))
    from ominix_quant.policy import Policy
    assert abs(size - memory_plan(cfg, Policy.from_recipe('moe')).total_bytes) < 64 * 1024  # the plan, to the safetensors headers
    model, _ = mlx_lm.load(str(out))
    gate = model.model.layers[1].mlp.gate
    assert type(gate).__name__ == 'MoEGate' and float(mx.abs(gate.weight).max()) > 0  # kept, and random: experts do not tie
    assert gate.e_score_correction_bias.dtype == mx.float32
    assert model.model.layers[1].mlp.switch_mlp.up_proj.bits == 3


def test_report_shows_experts_and_their_usage(glm, tmp_path):
    "ominix-quant report --experts --usage-tokens: a heatmap per stacked projection, the usage beside it."
    from conftest import main_raise
    out = tmp_path / 'r.html'
    cli(['report', str(glm), '--recipe', 'moe', '--experts', '--usage-tokens', '256', '--no-sweep', '-o', str(out), '-q'])
    page = out.read_text()
    assert all(f'{p} per expert' in page for p in ('gate_proj', 'up_proj', 'down_proj')) and 'share of routed tokens' in page
    with pytest.raises(ValueError, match='--usage-tokens needs --experts'):
        main_raise(['report', str(glm), '--usage-tokens', '256', '-o', str(tmp_path / 'x.html'), '-q'])
