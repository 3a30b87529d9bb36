"The package's shape (issue 'One house'): data flows one way, modules stay small, methods live where nbdev sees them, imports stay light."
import ast, subprocess, sys
from pathlib import Path
import ominix_quant

PKG = Path(ominix_quant.__file__).parent
MODULES = {('ominix_quant.' + '.'.join(p.relative_to(PKG).with_suffix('').parts)).removesuffix('.__init__'): p
           for p in PKG.rglob('*.py') if p.name != '_modidx.py'}


def _imports(name: str, path: Path) -> set:
    "Modules of the package that `name` imports anywhere in its file (top level or inside functions)."
    out, pkg = set(), name if path.name == '__init__.py' else name.rsplit('.', 1)[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                parts = pkg.split('.')
                base = '.'.join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            for a in node.names:
                full = f'{base}.{a.name}'
                out.add(full if full in MODULES else base)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return {m for m in out if m in MODULES and m != name and m != 'ominix_quant'}


def test_no_import_cycle():
    graph = {n: _imports(n, p) for n, p in MODULES.items()}
    state, stack = {}, []
    def visit(n):
        state[n] = 'open'; stack.append(n)
        for m in sorted(graph[n]):
            if state.get(m) == 'open': raise AssertionError('import cycle: ' + ' → '.join(stack[stack.index(m):] + [m]))
            if m not in state: visit(m)
        state[n] = 'done'; stack.pop()
    for n in sorted(graph):
        if n not in state: visit(n)


def test_core_imports_no_io_figures_or_widgets():
    "affine, floats, kernels and settings import nothing above them (DESIGN: a core that imports nothing from I/O, figures or widgets)."
    for core in ('ominix_quant.affine', 'ominix_quant.floats', 'ominix_quant.kernels', 'ominix_quant.settings'):
        assert _imports(core, MODULES[core]) <= {'ominix_quant.affine', 'ominix_quant.floats', 'ominix_quant.blas'}, core


def test_modules_are_small():
    big = {n: len(p.read_text().splitlines()) for n, p in MODULES.items() if len(p.read_text().splitlines()) > 600}
    assert not big, f'modules over 600 lines: {big}'


def test_no_method_attached_by_assignment():
    "`Cls.name = f` after a class hides the method from nbdev's docs; use the class body or fastcore's @patch."
    found = []
    for n, p in MODULES.items():
        tree = ast.parse(p.read_text())
        classes = {c.name for c in tree.body if isinstance(c, ast.ClassDef)}
        for node in tree.body:
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id in classes: found.append(f'{n}: {t.value.id}.{t.attr}')
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and getattr(node.value.func, 'id', '') == 'setattr': found.append(f'{n}: setattr')
    assert not found, found


def test_import_is_light():
    code = ("import sys, ominix_quant, ominix_quant.policy, ominix_quant.analysis, ominix_quant.checkpoint, ominix_quant.convert, ominix_quant.widgets.choices\n"
            "print(sorted(m for m in ('plotly', 'ipywidgets', 'jupyter_client', 'voila', 'torch', 'mlx_audio', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == '[]', out


def test_settings_ship_with_the_package():
    "The defaults are package data, and the only copy: no settings.ini values are written in code."
    assert (PKG / 'settings.ini').is_file()
    for n, p in MODULES.items(): assert '[recipe.llm]' not in p.read_text(), n
