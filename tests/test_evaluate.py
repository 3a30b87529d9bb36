"""Evaluation and allocation: the simulation equals the real quantized forward pass; metrics are neutral when nothing
changes; allocations fit their budget exactly; bad input (short text, foreign tokenizer, other architecture, budget
below reach) gets clear errors."""
import json, shutil
from pathlib import Path
import numpy as np
import pytest
import ominix_quant  # noqa: F401  (the optimized BLAS first)
import mlx.core as mx
from ominix_quant.affine import QuantSpec
from ominix_quant.checkpoint import load_model, write_shards, build_model
from ominix_quant.convert import apply
from ominix_quant.evaluate import Evaluator
from ominix_quant.policy import Policy, Rule, KEEP
from ominix_quant.sensitivity import Sensitivity, allocate
from mlx.utils import tree_flatten


@pytest.fixture(scope='module')
def ev(smol):
    return Evaluator(smol, n_tokens=511, progress=False)


def test_simulated_equals_real_quantized_forward(ev):
    pol = Policy((Rule(KEEP, 'model.embed_tokens'), Rule(QuantSpec(4, 32), '*.mlp.*'), Rule(QuantSpec(3, 64), '*.layers.0.*')), QuantSpec(8, 64))
    real, _ = load_model(ev.src)
    apply(real, pol)
    real.set_dtype(mx.float32)
    x = mx.array(ev.windows[:1, :-1])
    r = real(x)
    with ev.simulated(pol) as dec:
        s = ev.model(x)
    assert dec['model.layers.0.mlp.up_proj'] == QuantSpec(4, 32) and dec['model.layers.0.self_attn.q_proj'] == QuantSpec(3, 64)
    assert 'model.embed_tokens' not in dec
    assert float(mx.abs(r - s).max() / mx.abs(s).max()) < 1e-4
    assert float((mx.argmax(r, -1) == mx.argmax(s, -1)).mean()) > 0.99
    # and the base weights are back afterwards
    assert mx.array_equal(ev.model.model.layers[0].mlp.up_proj.weight, ev.stored['model.layers.0.mlp.up_proj.weight'].astype(mx.float32))


def test_metrics_neutral_and_ordered(ev):
    none = ev.quality(Policy((), KEEP, 'nothing'), progress=False)
    assert (none.kld, none.top1, none.dp_mean) == (0.0, 1.0, 0.0) and none.ppl == pytest.approx(none.base_ppl, rel=1e-12)
    q8, q3 = (ev.quality(Policy((), QuantSpec(b, 64)), progress=False) for b in (8, 3))
    assert q8.kld < q3.kld and q8.top1 > q3.top1 and q3.ppl > q8.ppl
    assert q8.bpw == pytest.approx(8.5, abs=0.01) and q3.bpw == pytest.approx(3.5, abs=0.01)


def test_bad_input(ev, tmp_path):
    with pytest.raises(ValueError, match='one evaluation window needs 512'):
        Evaluator(ev.src, text='Friends, Romans, countrymen, lend me your ears.', progress=False)
    # a small llama with SmolLM2's tokenizer: ids beyond its 1,000 embeddings
    cfg = dict(model_type='llama', hidden_size=64, num_hidden_layers=2, intermediate_size=128, num_attention_heads=4,
               num_key_value_heads=2, vocab_size=1000, rms_norm_eps=1e-5, rope_theta=1e4, tie_word_embeddings=True)
    m = build_model(cfg)
    mx.eval(m.parameters())
    d = tmp_path / 'tiny'
    d.mkdir()
    write_shards({k: v.astype(mx.bfloat16) for k, v in tree_flatten(m.parameters())}, d)
    (d / 'config.json').write_text(json.dumps(cfg))
    for f in ('tokenizer.json', 'tokenizer_config.json'): shutil.copy(Path(ev.src) / f, d / f)
    with pytest.raises(ValueError, match='do not belong together'): Evaluator(d, progress=False)
    with pytest.raises(ValueError, match='not the same architecture'): ev.quality_of(d)


def test_allocation_fits_and_explains(ev):
    sens = Sensitivity(ev, (QuantSpec(8, 64), QuantSpec(4, 64), QuantSpec(3, 64)), n_tokens=256, chunk=64, progress=False)
    al = allocate(sens, bpw=5.0)
    assert al.total_bytes <= al.budget and al.policy.footprint(ev.table).total == al.total_bytes
    assert al.bpw > 4.9  # the budget is used, not wasted
    # the policy resolves every layer as the allocation table says
    t = {l.path: l for l in ev.table}
    for p, s in zip(al.table.path, al.table.spec): assert str(al.policy.resolve(t[p])) == s
    with pytest.raises(ValueError, match=r'smallest reachable, [\d,]+ bytes \(3\.5'): allocate(sens, bpw=3.0)
    with pytest.raises(ValueError, match='exactly one'): allocate(sens)
