"""The picker and the dashboard without a browser: widget values drive the policy, the read-out and the figures; the
estimate equals the analysis of the policy it produces (a MoE model too); presets, undo and bad input."""
import numpy as np
import mlx.core as mx
import mlx.nn as nn
import pytest
from ominix_quant.affine import QuantSpec
from ominix_quant.analysis import analyze, sweep
from ominix_quant.convert import build_model
from ominix_quant.inventory import inventory
from ominix_quant.policy import Policy, KEEP
from ominix_quant.widgets import Choices, LayerPicker, Dashboard, SPECS

TINY_MOE = dict(model_type='glm4_moe', vocab_size=256, hidden_size=64, intermediate_size=128, max_position_embeddings=128,
                moe_intermediate_size=64, norm_topk_prob=True, num_attention_heads=4, n_group=1, head_dim=16, topk_group=1,
                n_shared_experts=1, n_routed_experts=4, routed_scaling_factor=1.0, num_experts_per_tok=2, first_k_dense_replace=1,
                num_hidden_layers=3, num_key_value_heads=2, rms_norm_eps=1e-5, rope_theta=1e4, rope_scaling=None, use_qk_norm=False,
                tie_word_embeddings=False, attention_bias=False, partial_rotary_factor=0.5)


@pytest.fixture(scope='module')
def moe():
    mx.random.seed(0)
    m = build_model(TINY_MOE)
    m.update(nn.utils.tree_map(lambda a: (mx.random.normal(a.shape) * 0.05).astype(mx.bfloat16) if isinstance(a, mx.array) and a.ndim >= 2 else a, m.parameters()))
    mx.eval(m.parameters())
    return m


def test_moe_estimate_equals_analysis(moe):
    specs = (QuantSpec(8, 64), QuantSpec(4, 32), QuantSpec(4, 64), QuantSpec(3, 64))
    sw = sweep(moe, specs, progress=False)
    p = LayerPicker(moe, preset='moe', errors=sw, specs=specs, progress=False)
    assert 'experts' in p.choices.components and any(l.kind == 'SwitchLinear' for l in p.choices.layers)
    p.node('component', 'experts').bits.value = 4
    p.node('component', 'experts').gs.value = 32
    p.node('group', 'model.layers.*.self_attn.o_proj').keep.value = True
    rep = analyze(moe, p.policy, progress=False)
    est = p.estimate
    assert (est.bytes_before, est.bytes_after) == (rep.bytes_before, rep.bytes_after)
    q = rep.quantized
    sse = float((q.mse * q['shape'].map(lambda s: int(np.prod(s)))).sum())
    assert est.rel_error ** 2 * np.nansum(p.choices._ssw) == pytest.approx(sse, rel=1e-6)
    assert rep.table.loc['model.layers.1.mlp.switch_mlp.up_proj', 'spec'] == '4-bit g32'
    assert rep.table.loc['model.layers.2.self_attn.o_proj', 'spec'] == 'KEEP'
    # the model's own predicate is honoured when applying (its router stays out), and the config says what was done
    block = p.apply(moe)
    assert block['model.layers.2.self_attn.o_proj'] is False
    assert type(moe.model.layers[1].mlp.switch_mlp.up_proj).__name__ == 'QuantizedSwitchLinear'
    assert moe.model.layers[1].mlp.switch_mlp.up_proj.bits == 4


def test_clicks_change_policy_readout_and_figures(smol):
    d = Dashboard(smol, preset='llm', progress=False)
    p = d.picker
    fired = []
    p.observe(lambda c: fired.append(c['new']), 'policy')
    text, colors = p.readout.value, list(d.error_fig.data[0].marker.color)
    mem = {t.name: list(t.y) for t in d.memory_fig.data}
    p.node('group', 'model.layers.*.mlp.down_proj').bits.value = 4
    assert len(fired) == 1 and p.readout.value != text
    t = p.choices.table._by_path
    assert fired[0].resolve(t['model.layers.3.mlp.down_proj']) == QuantSpec(4, 64)
    assert {t.name: list(t.y) for t in d.memory_fig.data}['decoder'][1] < mem['decoder'][1]
    assert p.node('group', 'model.layers.*.mlp.down_proj').state.value == '→ 4-bit g64 ×30'
    p.node('component', 'decoder').keep.value = True  # the more specific group pick still wins for down_proj
    grey = [c == '#cccccc' for c in d.error_fig.data[0].marker.color]
    assert sum(not g for g in grey) == 30 and list(d.error_fig.data[0].marker.color) != colors
    assert '181 of 211 layers kept' in p.readout.value
    # clicking a bar selects its layer and redraws the heatmap
    d._bar_clicked(d.error_fig.data[0], type('P', (), {'point_inds': [5]})(), None)
    assert p.selected == p.choices.layers[5].path and d.heatmap_fig.layout.title.text.startswith(p.selected)
    # undo twice: back to the start, controls included
    p.undo(); p.undo()
    assert p.readout.value == text and not p.node('component', 'decoder').keep.value
    assert p.node('group', 'model.layers.*.mlp.down_proj').bits.value == 0 and p.undo_button.disabled  # 'inherit'


def test_presets_filter_and_bad_input(smol):
    p = LayerPicker(smol, preset='llm', errors=False, progress=False)
    assert p.estimate.rel_error is None and 'weight error' not in p.readout.value  # memory only
    p.preset_menu.value = 'small'
    assert p.estimate.bytes_after == p.estimate.bytes_before
    p.undo()
    assert p.preset_menu.value == 'llm' and p.estimate.bytes_after < p.estimate.bytes_before
    before = p.policy
    p.filter.value = 'no_such_layer'
    assert 'no layer matches' in p.message.value and p.policy == before
    p.filter.value = 're:('
    assert 'bad regex' in p.message.value
    p.filter.value = 're:layers\\.1[0-2]\\.mlp'
    assert 'all 9 matching' in p.node('pattern', 're:layers\\.1[0-2]\\.mlp').name.description
    p.node('pattern', 're:layers\\.1[0-2]\\.mlp').keep.value = True
    assert p.estimate.kept == 1 + 9
    with pytest.raises(KeyError, match='no component'): p.choices.pick('component', 'vision tower', keep=True)
    with pytest.raises(ValueError, match='bits must be one of'): p.choices.pick('component', 'decoder', bits=7)
    with pytest.raises(ValueError, match='no quantizable layers'):
        Choices(inventory(nn.Sequential(nn.RMSNorm(8))), Policy())
