"""Choosing by hand: `Choices` (`choices`), the `LayerPicker` widget (`picker`), the `Dashboard` of figures that
follow it (`dashboard`) and the Voilà app (`app`); from nbs/05a_choices … 05d_app.

Written by hand, not exported (nbdev-export leaves an existing `__init__.py` alone): each name is imported from its
module on first use, so that `import ominix_quant.widgets.choices` needs neither ipywidgets nor plotly."""
import importlib

_HOME = dict(SPECS='choices', Pick='choices', Estimate='choices', Choices='choices', LayerPicker='picker',
             Dashboard='dashboard', app_notebook='app', serve='app')
__all__ = list(_HOME)

def __getattr__(name):
    "Import `name` from its module when it is first asked for."
    if name not in _HOME: raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    return getattr(importlib.import_module(f'{__name__}.{_HOME[name]}'), name)

def __dir__(): return sorted({*globals(), *_HOME})
