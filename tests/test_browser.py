"""The dashboard in a real browser: `ominix-quant app` serves it with Voilà on 127.0.0.1 with a token, Debian's chromium
(driven by Playwright, never `playwright install`) ticks "keep in BF16" for the decoder, and the memory read-out and the
figures change in the page. A screenshot goes to test-artifacts/. Ctrl-C (SIGINT) then stops the app cleanly."""
import os, secrets, shutil, signal, socket, subprocess, sys, time, urllib.request
from pathlib import Path
import pytest

CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run']
ARTIFACTS = Path(os.environ.get('OMINIX_ARTIFACTS', Path(__file__).parents[1] / 'test-artifacts'))
PLOTS = "() => [...document.querySelectorAll('.js-plotly-plot')].map(g => JSON.stringify((g.data || []).map(t => [t.y, t.marker && t.marker.color])))"

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason='needs Debian chromium (apt-get install chromium); .ci/run installs it')


def _port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _wait_up(url, proc, seconds=120):
    "Wait until the server answers (or the app died)."
    end = time.time() + seconds
    while time.time() < end:
        if proc.poll() is not None: raise RuntimeError(f'the app exited with {proc.returncode}:\n{proc.log.read_text()[-3000:]}')
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200: return
        except OSError: time.sleep(0.5)
    raise TimeoutError(f'{url} did not answer in {seconds} s')


@pytest.fixture
def app(smol, tmp_path):
    "The app on the bundled model, started as a user would start it; stopped with Ctrl-C (SIGINT)."
    port, token = _port(), secrets.token_urlsafe(12)
    exe = Path(sys.executable).parent / 'ominix-quant'
    log = tmp_path / 'app.log'  # a file, not a pipe: Voilà logs a lot, and a full pipe would stall it
    with open(log, 'w') as out:
        proc = subprocess.Popen([str(exe), 'app', str(smol), '--preset', 'llm', '--port', str(port), f'--token={token}'],  # '=': a random token may start with '-'
                                stdout=out, stderr=subprocess.STDOUT, text=True)
    proc.log = log
    url = f'http://127.0.0.1:{port}/?token={token}'
    try:
        _wait_up(url.split('?')[0] + 'voila/static/favicon.ico', proc)  # a static file: the page itself would start a kernel
        yield url, proc
    finally:
        proc.send_signal(signal.SIGINT)
        try: proc.wait(60)
        except subprocess.TimeoutExpired: proc.kill(); raise


def test_dashboard_in_chromium(app):
    from playwright.sync_api import sync_playwright
    url, proc = app
    with urllib.request.urlopen(url.split('?')[0], timeout=10) as r:  # without the token: sent to the login page
        assert '/login' in r.geturl()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={'width': 1500, 'height': 1400})
        try:
            page.goto(url, timeout=120_000)
            page.wait_for_selector('.oq-memory', timeout=300_000)  # the kernel sweeps the model first
            page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2", timeout=120_000)
            memory, plots = page.inner_text('.oq-memory'), page.evaluate(PLOTS)
            assert 'MB →' in memory and 'bits/weight' in memory
            page.wait_for_selector('text=per-group relative error', timeout=60_000)  # the selected layer's heatmap
            shown = page.eval_on_selector('.oq-bits-component-decoder select', 'e => e.selectedIndex >= 0 ? e.options[e.selectedIndex].text : ""')
            assert shown == 'inherit', shown
            page.screenshot(path=str(ARTIFACTS / 'dashboard-before.png'), full_page=True)
            page.check('.oq-keep-component-decoder input[type=checkbox]')
            page.wait_for_function("m => document.querySelector('.oq-memory').innerText !== m", arg=memory, timeout=60_000)
            page.wait_for_function(f"p => JSON.stringify(({PLOTS})()) !== JSON.stringify(p)", arg=plots, timeout=60_000)
            after = page.inner_text('.oq-memory')
            assert '211 of 211 layers kept' in after and after != memory
            page.screenshot(path=str(ARTIFACTS / 'dashboard.png'), full_page=True)
        except Exception as e:
            page.screenshot(path=str(ARTIFACTS / 'dashboard-failure.png'), full_page=True)
            raise AssertionError(f'{e}\n--- the app\'s log:\n{proc.log.read_text()[-4000:]}') from e
        finally: browser.close()
    proc.send_signal(signal.SIGINT)  # Ctrl-C
    proc.wait(60)
    out = proc.log.read_text()
    assert proc.returncode == 0, out[-3000:]
    assert 'stopping' in out and 'Traceback' not in out.split('stopping')[-1], out[-2000:]
