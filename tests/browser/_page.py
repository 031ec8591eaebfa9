"""Drive one notebook in a JupyterLab page: open, run all, find errors, play with every control.

The page side lives in :data:`HELPERS` (installed as ``window.__lossopt``):
it reads the notebook's kernel state through ``window.jupyterapp``, records
every ``error`` and ``stderr`` message the kernel publishes, and times each
control change from the key press to the ``load`` of the new image.
"""

import re
import time

# Control kinds, in the order they are played with: choices first (a data set
# choice may enable a slider), then sliders and numbers, then buttons (a "reset"
# must find something to reset), Play last.
SELECTORS = {
    "dropdown": ".widget-dropdown select",
    "select": ".widget-select select",
    "toggle buttons": ".widget-toggle-buttons",
    "radio buttons": ".widget-radio-box",
    "checkbox": ".widget-checkbox input[type=checkbox]",
    "toggle button": "button.widget-toggle-button:not(.widget-toggle-buttons button)",
    "slider": ".widget-slider .noUi-handle-lower",
    "number": ".widget-text input[type=number]",
    "button": "button.widget-button",
    "play": ".widget-play",
}
# Inputs this test does not type into (no explorer uses them): counted in the summary, not silently skipped.
UNPLAYED = ".widget-text input:not([type=number]), .widget-textarea textarea, .widget-colorpicker, .widget-upload"
# ipywidgets' front end opens a "control" comm to a fresh kernel before the
# kernel has imported ipywidgets; the kernel logs that it knows no such comm.
# Only the front end makes dashed UUIDs (kernel-side widget ids are hex).
BENIGN_STDERR = r"^(No such comm: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
BENIGN_STDERR += r"|No such comm target registered: jupyter\.widget\.control)\s*$"

HELPERS = """
() => {
  if (window.__lossopt) return;
  const L = (window.__lossopt = { kernelErrors: [], state: null });
  L.panel = () => {
    const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    return w && w.sessionContext && w.content ? w : null;
  };
  L.kernel = () => {
    const w = L.panel();
    return w && w.sessionContext.session ? w.sessionContext.session.kernel : null;
  };
  // 'idle' once the document is loaded and the kernel connected and idle.
  L.kernelState = () => {
    const w = L.panel();
    if (!w) return 'no notebook';
    if (!w.context.isReady || !w.sessionContext.isReady) return 'loading';
    const k = L.kernel();
    if (!k) return 'no kernel';
    return k.connectionStatus === 'connected' ? k.status : k.connectionStatus;
  };
  // Every error or stderr message the kernel publishes, wherever Lab shows it
  // (a cell, the log console for widget callbacks) or not at all.
  L.listen = benign => {
    const harmless = new RegExp(benign);
    const k = L.kernel();
    if (!k || L.listening === k) return;
    L.listening = k;
    // Plain text, the exception and the last frames only.
    const plain = lines => lines.join('\\n').replace(/\\x1b\\[[0-9;]*m/g, '').split('\\n').slice(-14).join('\\n');
    k.iopubMessage.connect((_, msg) => {
      const c = msg.content;
      if (msg.header.msg_type === 'error') L.kernelErrors.push(plain(c.traceback));
      if (msg.header.msg_type === 'stream' && c.name === 'stderr') {
        const text = c.text.split('\\n').filter(line => line.trim() && !harmless.test(line)).join('\\n');
        if (text) L.kernelErrors.push('stderr: ' + plain([text]));
      }
    });
  };
  // The time of the last change anywhere in the notebook.
  L.watch = () => {
    L.lastMutation = performance.now();
    new MutationObserver(() => { L.lastMutation = performance.now(); }).observe(
      document.querySelector('.jp-NotebookPanel'),
      { attributes: true, childList: true, subtree: true, characterData: true });
  };
  L.cells = () => [...document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell')];
  L.prompts = () => L.cells().map(c => (c.classList.contains('jp-CodeCell')
    ? (c.querySelector('.jp-InputArea-prompt') || {}).textContent || '' : null));
  // What a student sees as an error: tracebacks, stderr, widgets that failed to render.
  L.pageErrors = () => {
    const found = [];
    for (const e of document.querySelectorAll(
        '.jp-NotebookPanel [data-mime-type="application/vnd.jupyter.stderr"], .jp-NotebookPanel .jp-OutputArea-error'))
      found.push(e.innerText.slice(0, 3000));
    for (const e of document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output'))
      if (/Error displaying widget|Failed to load model class|model not found/i.test(e.innerText))
        found.push(e.innerText.slice(0, 500));
    return found;
  };
  // The outputs a control drives: the nearest enclosing box with a picture or
  // an Output widget (an Explorer's VBox), else the whole cell output.
  L.scope = control => {
    let e = control.parentElement;
    while (e && !e.classList.contains('jp-OutputArea-output')) {
      if (e.querySelector('img.widget-image, .widget-output')) return e;
      e = e.parentElement;
    }
    return e;
  };
  L.snapshot = root => JSON.stringify([
    [...root.querySelectorAll('img')].map(i => i.src),
    [...root.querySelectorAll('.widget-html-content, .widget-htmlmath-content, .widget-output .jp-OutputArea-output')]
      .map(e => e.innerText),
  ]);
  L.label = control => {
    const box = control.closest('.widget-inline-hbox, .widget-toggle-buttons, .widget-radio-box, .widget-play')
      || control;
    const clean = t => (t || '').replace(/\\u200b/g, '').trim();
    const label = box.querySelector('.widget-label, .widget-label-basic');
    const text = clean(label && label.textContent) || clean(control.title) || clean(control.textContent)
      || clean(box.textContent).split('\\n')[0];
    return (text || box.className.split(' ').pop()).slice(0, 40);
  };
  L.disabled = c => !!(c.disabled || c.closest('[disabled], .mod-disabled')
    || (c.matches('.widget-toggle-buttons, .widget-radio-box') && !c.querySelector('button:enabled, input:enabled')));
  // The control's own value, to tell "did not move" from "moved, but nothing redrew".
  L.value = c => c.getAttribute('aria-valuenow') ?? c.value ?? c.className;
  // Before a change: remember what the outputs look like, and time the first
  // key press, the first new image src and that image's load.
  L.arm = control => {
    const root = L.scope(control);
    const s = (L.state = { root, before: L.snapshot(root), t0: null, tsrc: null, tload: null, quietSince: 0 });
    document.addEventListener('keydown', () => { if (s.t0 === null) s.t0 = performance.now(); },
      { capture: true, once: true });
    const observer = new MutationObserver(records => {
      s.quietSince = performance.now();
      for (const r of records)
        if (r.type === 'attributes' && r.attributeName === 'src' && r.target.tagName === 'IMG' && s.tsrc === null) {
          s.tsrc = performance.now();
          r.target.addEventListener('load', () => { if (s.tload === null) s.tload = performance.now(); },
            { once: true });
        }
    });
    observer.observe(root, { attributes: true, childList: true, subtree: true, characterData: true });
    s.observer = observer;
  };
  // Changed, kernel idle, and the outputs quiet for 100 ms (the readout and
  // the picture arrive in separate messages).
  L.changed = () => L.snapshot(L.state.root) !== L.state.before;
  L.settled = () => {
    const s = L.state;
    return L.snapshot(s.root) !== s.before && L.kernelState() === 'idle'
      && performance.now() - s.quietSince > 100 && (s.tsrc === null || s.tload !== null);
  };
  L.disarm = () => {
    const s = L.state;
    s.observer.disconnect();
    return { ms: s.t0 !== null && s.tload !== null ? s.tload - s.t0 : null, image: s.tsrc !== null };
  };
}
"""


class NotebookPage:
    """One notebook open in JupyterLab in ``page``; every wait is bounded by ``timeout`` ms."""

    def __init__(self, page, server, name, timeout=60_000):
        self.page, self.server, self.name, self.timeout = page, server, name, timeout
        self.js_errors = []
        page.on("pageerror", lambda error: self.js_errors.append(str(error)))
        self.log_start = server.log_size()

    def open(self, workspace):
        """Load Lab on the notebook, in a workspace of its own, and wait for the kernel."""
        url = f"{self.server.url}/lab/workspaces/{workspace}/tree/notebooks/{self.name}?token={self.server.token}"
        self.page.goto(url, timeout=self.timeout)
        self.page.wait_for_function("() => !!window.jupyterapp", timeout=self.timeout)
        self.page.evaluate(HELPERS)
        self.wait_idle()
        self.page.evaluate("benign => __lossopt.listen(benign)", BENIGN_STDERR)
        self.page.evaluate("() => __lossopt.watch()")

    def wait_idle(self, timeout=None):
        self.page.wait_for_function("() => __lossopt.kernelState() === 'idle'", timeout=timeout or self.timeout)

    def run_all(self, must_run):
        """Run > Run All Cells; wait until the kernel is idle and every cell in ``must_run`` has a count.

        ``must_run``: indices of the code cells with source. Returns early (and
        the caller fails) when a cell raised, since Lab then stops the run.
        """
        self.page.click(".lm-MenuBar-item:has-text('Run')")
        self.page.click("li.lm-Menu-item[data-command='runmenu:run-all']")
        self.page.wait_for_function(
            """must => { const p = __lossopt.prompts(), L = __lossopt;
                if (L.kernelState() !== 'idle' || p.some(t => t && t.includes('*'))) return false;
                return must.every(i => /\\[\\d+\\]/.test(p[i] || '')) || L.kernelErrors.length > 0; }""",
            arg=must_run,
            timeout=self.timeout,
        )
        prompts = self.prompts()
        return [i for i in must_run if not re.search(r"\[\d+\]", prompts[i] or "")]

    def prompts(self):
        return self.page.evaluate("() => __lossopt.prompts()")

    def wait_widgets(self, count):
        """Wait until at least ``count`` widget pictures (explorers) have rendered, and no widget is loading."""
        self.page.wait_for_function(
            """n => { const outputs = [...document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output')];
                return outputs.filter(e => e.querySelector('img.widget-image')).length >= n
                    && !outputs.some(e => e.textContent === 'Loading widget...'); }""",
            arg=count,
            timeout=self.timeout,
        )

    def errors(self):
        """Errors so far: in the page, published by the kernel, in the kernel's log, in the page's JavaScript."""
        found = [f"in the notebook: {text}" for text in self.page.evaluate("() => __lossopt.pageErrors()")]
        found += [f"from the kernel: {text}" for text in self.page.evaluate("() => __lossopt.kernelErrors")]
        log = self.server.log_text(self.log_start)
        found += [f"in the kernel log: {block}" for block in log.split("\n[") if "Traceback" in block]
        found += [f"JavaScript: {text}" for text in self.js_errors]
        return found

    def controls(self):
        """Every visible control in the notebook's outputs, as (kind, element), in play order."""
        found = []
        for kind, selector in SELECTORS.items():
            for element in self.page.query_selector_all(f".jp-NotebookPanel .jp-OutputArea-output {selector}"):
                if element.is_visible():
                    found.append((kind, element))
        return found

    def label(self, element):
        return element.evaluate("e => __lossopt.label(e)")

    def unavailable(self, element):
        """Disabled or hidden (another control may have made it so): a student cannot use it now."""
        return not element.is_visible() or element.evaluate("e => __lossopt.disabled(e)")

    def unplayed(self):
        return len(self.page.query_selector_all(f".jp-NotebookPanel .jp-OutputArea-output :is({UNPLAYED})"))

    def change(self, kind, element, step=0):
        """Change one control the way a student would; wait until the outputs it drives settle.

        Returns ``{"changed": bool, "ms": key press to loaded image or None,
        "image": whether the picture changed, "value": (before, after)}``.
        """
        element.scroll_into_view_if_needed()
        before = element.evaluate("e => __lossopt.value(e)")
        self.page.evaluate("c => __lossopt.arm(c)", element)
        if kind == "slider":  # keyboard, as in the issue: arrows and page keys, up unless at the top
            now, top = (float(element.get_attribute(a)) for a in ("aria-valuenow", "aria-valuemax"))
            keys = [("ArrowRight", "ArrowLeft"), ("PageUp", "PageDown")][step % 2]
            element.press(keys[0] if now < top - 1e-9 else keys[1])
        elif kind == "number":
            top = element.get_attribute("max")
            at_top = top is not None and float(element.input_value() or 0) >= float(top)
            element.press("ArrowDown" if at_top else "ArrowUp")
            element.press("Enter")  # ipywidgets commits a number on Enter
        elif kind in ("dropdown", "select"):
            count = element.evaluate("e => e.options.length")
            element.select_option(index=(element.evaluate("e => e.selectedIndex") + 1) % count)
        elif kind in ("toggle buttons", "radio buttons"):
            inactive = "button:not(.mod-active)" if kind == "toggle buttons" else "input:not(:checked)"
            element.query_selector(inactive).click()
        elif kind == "play":
            element.query_selector("button:has(.fa-play)").click()
        else:  # checkbox, toggle button, button
            element.click()
        # Play keeps changing its outputs: wait for the first change only.
        done = "__lossopt.changed()" if kind == "play" else "__lossopt.settled()"
        try:
            self.page.wait_for_function(f"() => {done}", timeout=15_000, polling=20)
            changed = True
        except Exception as error:  # Playwright's TimeoutError
            if "Timeout" not in type(error).__name__:
                raise
            changed = False
        result = self.page.evaluate("() => __lossopt.disarm()")
        if kind == "play":  # stop the animation, so it cannot pass for the next control's effect
            pause = element.query_selector("button:has(.fa-pause)")
            if pause:
                pause.click()
            self.wait_quiet()
        after = element.evaluate("e => __lossopt.value(e)")
        return {**result, "changed": changed, "value": (before, after)}

    def wait_quiet(self, quiet_ms=300):
        """Wait for the kernel to be idle and the notebook to stop changing for ``quiet_ms``."""
        self.page.wait_for_function(
            "ms => __lossopt.kernelState() === 'idle' && performance.now() - __lossopt.lastMutation > ms",
            arg=quiet_ms,
            timeout=15_000,
        )

    def screenshot(self, path, max_height=12_000):
        """The whole notebook, not only the viewport: grow the viewport to the notebook's height first."""
        size = self.page.viewport_size
        height = self.page.evaluate(
            """() => { const n = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer')
                          || document.querySelector('.jp-NotebookPanel .jp-Notebook');
                       return n ? n.scrollHeight : 0; }"""
        )
        try:
            tall = min(max(size["height"], height + 200), max_height)
            self.page.set_viewport_size({"width": size["width"], "height": tall})
            self.page.evaluate(
                """() => document.querySelectorAll('.jp-NotebookPanel :is(.jp-WindowedPanel-outer, .jp-Notebook)')
                         .forEach(e => { e.scrollTop = 0; })"""
            )
            time.sleep(0.3)  # one layout pass
            self.page.screenshot(path=str(path))
        finally:
            self.page.set_viewport_size(size)
