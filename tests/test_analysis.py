"The analysis of a checkpoint folder equals that of the loaded model; experts add up; NaN weights are flagged, not fatal."
import numpy as np
import mlx.core as mx
import mlx.nn as nn
import pytest
from ominix_quant.affine import QuantSpec
from ominix_quant.policy import Policy, Rule, KEEP
from ominix_quant.analysis import analyze, sweep
from ominix_quant.checkpoint import load_model, build_model, save_model
from ominix_quant.fixtures import tiny_config, tiny_model




def test_folder_and_model_agree(smol):
    pol = Policy([Rule(KEEP, '*.mlp.down_proj'), Rule(QuantSpec(4, 32), '*.self_attn.*')], QuantSpec(6, 64))
    a = analyze(smol, pol, progress=False).table
    m, _ = load_model(smol)
    b = analyze(m, pol, progress=False).table
    cols = ['spec', 'params', 'bytes_before', 'bytes_after', 'mse', 'max_abs', 'sqnr_db', 'cosine', 'neg_scales']
    assert list(a.index) == list(b.index)
    for c in cols: assert a[c].equals(b[c]), c
    assert (a.loc[a.index.str.endswith('down_proj'), 'spec'] == 'KEEP').all()


def test_experts_rows_add_up():
    m = tiny_model('glm4_moe', dtype='float32', n_routed_experts=4, num_experts_per_tok=2, num_hidden_layers=2)
    whole = analyze(m, Policy(default=QuantSpec(4, 64)), progress=False).table
    per = analyze(m, Policy(default=QuantSpec(4, 64)), experts=True, progress=False).table
    p = 'model.layers.1.mlp.switch_mlp.down_proj'
    rows = per.loc[[f'{p}[{e}]' for e in range(4)]]
    assert rows.params.sum() == whole.loc[p, 'params']
    assert np.isclose((rows.mse * rows.params).sum() / rows.params.sum(), whole.loc[p, 'mse'], rtol=1e-5)


def test_nan_weights_are_flagged_not_fatal(tmp_path):
    cfg = tiny_config('llama', num_hidden_layers=1)
    m = build_model(cfg); m.set_dtype(mx.bfloat16)
    m.model.layers[0].mlp.up_proj.weight = m.model.layers[0].mlp.up_proj.weight.at[1, 2].add(float('inf'))
    mx.eval(m.parameters())
    save_model(m, cfg, tmp_path / 'm')
    t = analyze(tmp_path / 'm', progress=False).table
    assert t.loc['model.layers.0.mlp.up_proj', 'nonfinite'] == 1
    assert t.loc['model.layers.0.mlp.down_proj', 'nonfinite'] == 0 and np.isfinite(t.loc['model.layers.0.mlp.down_proj', 'mse'])


def test_sweep_orders_by_bits(smol):
    sw = sweep(smol, specs=[QuantSpec(b, 64) for b in (3, 4, 6, 8)], layers=['model.layers.3.*'], progress=False)
    mean = sw.groupby('bits').rel_error.mean()
    assert mean.is_monotonic_decreasing
    with pytest.raises(ValueError, match='no quantizable layer matches'):
        sweep(smol, layers=['nothing.*'], progress=False)
