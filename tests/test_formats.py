"MLX's floating-point formats where they meet the allocator: per-layer choices among affine specs and formats, on genuine weights (MiniLM)."


def test_allocation_mixes_formats():
    "The allocator chooses among affine specs and MLX's formats per layer; the policy it makes quantizes and is what it predicts."
    from ominix_quant.affine import QuantSpec
    from ominix_quant.evaluate import EmbeddingEvaluator
    from ominix_quant.sensitivity import Sensitivity, allocate
    emb = EmbeddingEvaluator(n_sentences=32)
    sens = Sensitivity(emb, (QuantSpec(4, 64), QuantSpec(8, 64), QuantSpec.of('nvfp4'), QuantSpec.of('mxfp8')), n_tokens=256, progress=False)
    alloc = allocate(sens, bpw=6.0)
    used = {s for s in alloc.table.spec}
    assert used & {'nvfp4', 'mxfp8'} and used & {'4-bit g64', '8-bit g64'}
    q = emb.quality(alloc.policy)
    assert abs(q.bpw - 8 * alloc.total_bytes / alloc.params) < 1e-6 and q.cosine > 0.99
