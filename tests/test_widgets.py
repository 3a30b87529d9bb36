"""The picker and the dashboard without a browser: widget values drive the policy, the read-out and the figures; the
estimate equals the analysis of the policy it produces (a MoE model too); recipes, undo and bad input."""
import numpy as np
import mlx.nn as nn
import pytest
from ominix_quant.affine import QuantSpec
from ominix_quant.analysis import analyze, sweep
from ominix_quant.fixtures import tiny_model
from ominix_quant.inventory import inventory
from ominix_quant.policy import Policy, KEEP
from ominix_quant.widgets import Choices, LayerPicker, Dashboard, SPECS
from ominix_quant.widgets.choices import Pick, Estimate

@pytest.fixture(scope='module')
def moe():
    return tiny_model('glm4_moe')


def test_moe_estimate_equals_analysis(moe):
    specs = (QuantSpec(8, 64), QuantSpec(4, 32), QuantSpec(4, 64), QuantSpec(3, 64))
    sw = sweep(moe, specs, progress=False)
    p = LayerPicker(moe, recipe='moe', errors=sw, specs=specs, progress=False)
    assert 'routed experts' in p.choices.components and any(l.kind == 'SwitchLinear' for l in p.choices.layers)
    row = p.node('component', 'routed experts')  # says why experts are chosen per layer and projection, not one by one
    assert '16 experts each' in row.info.value and 'per layer and projection, not per expert' in row.info.tooltip
    p.node('component', 'routed experts').bits.value = 4
    p.node('component', 'routed experts').gs.value = 32
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
    d = Dashboard(smol, recipe='llm', progress=False)
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


def test_recipes_filter_and_bad_input(smol):
    p = LayerPicker(smol, recipe='llm', errors=False, progress=False)
    assert p.estimate.rel_error is None and 'weight error' not in p.readout.value  # memory only
    p.recipe_menu.value = 'small'
    assert p.estimate.bytes_after == p.estimate.bytes_before
    p.undo()
    assert p.recipe_menu.value == 'llm' and p.estimate.bytes_after < p.estimate.bytes_before
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


def test_package_names_and_a_light_choices_module():
    "`ominix_quant.widgets` hands out each name from its module; `widgets.choices` alone needs neither ipywidgets nor plotly."
    import subprocess, sys
    import ominix_quant.widgets as w
    assert (w.Choices, w.Pick, w.Estimate, w.SPECS, w.LayerPicker, w.Dashboard) == (Choices, Pick, Estimate, SPECS, LayerPicker, Dashboard)
    assert w.serve.__module__ == 'ominix_quant.widgets.app' and set(w.__all__) <= set(dir(w))
    with pytest.raises(AttributeError, match='no attribute'): w.Nothing
    code = "import sys, ominix_quant.widgets.choices; print(sorted(m for m in ('plotly', 'ipywidgets', 'traitlets', 'anywidget') if m in sys.modules))"
    assert subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout.strip() == '[]'
