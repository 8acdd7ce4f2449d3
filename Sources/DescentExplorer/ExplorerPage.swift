/// The explorer's page: controls, an SVG of the paths over the function's landscape, loss
/// curves, and the moving averages. It computes nothing: every number comes from `/api/...`,
/// and the page only draws. Its URL carries the settings (`?function=quadratic&lr_sgd=0.05`),
/// so a view can be shared, and a test can open the page in any state.
enum ExplorerPage {
  /// The whole page.
  static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <title>Descent explorer</title>
    <style>
    body { font: 14px/1.35 system-ui, "DejaVu Sans", sans-serif; margin: 0; color: #222; background: #fafafa; }
    header { padding: 10px 18px; background: #283048; color: #fff; }
    header h1 { font-size: 19px; margin: 0; display: inline; }
    header span { margin-left: 12px; color: #c9d1e8; }
    main { display: grid; grid-template-columns: 290px 1fr; gap: 14px; padding: 12px 18px; }
    aside { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 10px 12px; }
    aside h2, section h2 { font-size: 14px; margin: 10px 0 4px; color: #283048; }
    aside h2:first-child { margin-top: 0; }
    label { display: block; margin: 3px 0; }
    .row { display: grid; grid-template-columns: 18px 104px 1fr 52px; align-items: center; gap: 4px; }
    .slider { display: grid; grid-template-columns: 80px 1fr 58px; align-items: center; gap: 4px; }
    .value { font-variant-numeric: tabular-nums; text-align: right; font-size: 12px; }
    .swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
    input[type=range] { width: 100%; margin: 0; }
    select { width: 100%; }
    #formula, .hint { color: #555; font-size: 12px; margin: 2px 0 6px; }
    #status { min-height: 18px; font-size: 12px; color: #555; }
    #status.error { color: #b00020; font-weight: bold; }
    .plots { display: grid; grid-template-columns: 3fr 2fr; gap: 10px; }
    section svg { width: 100%; height: auto; display: block; }
    section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 6px 8px; }
    svg text { font: 11px system-ui, "DejaVu Sans", sans-serif; fill: #333; }
    table { border-collapse: collapse; font-size: 12px; width: 100%; }
    td, th { padding: 1px 4px; text-align: right; }
    td:first-child, th:first-child { text-align: left; }
    </style>
    </head>
    <body data-status="loading">
    <header><h1>Descent explorer</h1><span>optimizers on test functions and the moving average they rest on; every number is computed by Descent's own optimizers on the server</span></header>
    <main>
    <aside>
      <h2>Test function</h2>
      <select id="function"></select>
      <div id="formula"></div>
      <h2>Optimizers and learning rates</h2>
      <div id="optimizers"></div>
      <h2>Hyperparameters</h2>
      <div class="slider"><span>momentum</span><input id="momentum" type="range" min="0" max="0.99" step="0.01"><span class="value" id="momentum-value"></span></div>
      <div class="hint">for Momentum and Nesterov (SGD's momentum)</div>
      <div class="slider"><span>β1</span><input id="beta1" type="range" min="0" max="0.99" step="0.01"><span class="value" id="beta1-value"></span></div>
      <div class="slider"><span>β2</span><input id="beta2" type="range" min="1" max="4" step="0.1"><span class="value" id="beta2-value"></span></div>
      <div class="hint">Adam's betas (β2 moves on a log scale of 1 − β2)</div>
      <div class="slider"><span>steps</span><input id="steps" type="range" min="10" max="2000" step="10"><span class="value" id="steps-value"></span></div>
      <div class="hint">Click the landscape to start the paths there.</div>
      <button id="reset">Reset to this function's lesson</button>
      <h2>Moving average</h2>
      <div class="slider"><span>EWMA β</span><input id="ewma-beta" type="range" min="0" max="0.99" step="0.01"><span class="value" id="ewma-beta-value"></span></div>
      <div class="slider"><span>days</span><input id="days" type="range" min="10" max="365" step="5"><span class="value" id="days-value"></span></div>
      <div id="status"></div>
    </aside>
    <div>
      <div class="plots">
        <section><h2 id="paths-title">Paths</h2><svg id="paths" viewBox="0 0 540 430"></svg></section>
        <section><h2>Loss per step (log scale)</h2><svg id="losses" viewBox="0 0 330 300"></svg><table id="results"></table></section>
      </div>
      <section style="margin-top:10px"><h2 id="ewma-title">Daily temperatures and their moving averages</h2><svg id="ewma" viewBox="0 0 880 250"></svg></section>
    </div>
    </main>
    <script>
    "use strict";
    const NAMES = ["sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam"];
    const LABELS = {sgd: "SGD", momentum: "Momentum", nesterov: "Nesterov", adagrad: "AdaGrad", adadelta: "Adadelta", rmsprop: "RMSprop", adam: "Adam"};
    const COLORS = {sgd: "#d62728", momentum: "#1f77b4", nesterov: "#17becf", adagrad: "#9467bd", adadelta: "#8c564b", rmsprop: "#e377c2", adam: "#2ca02c"};
    const FUNCTIONS = ["rosenbrock", "beale", "saddle", "himmelblau", "quadratic"];
    const SVGNS = "http://www.w3.org/2000/svg";
    const $ = (id) => document.getElementById(id);
    const round = (v) => Number(Number(v).toPrecision(6));

    // The state: what the URL says, and what the user moved since. Absent values take the
    // server's defaults for the function (its lesson).
    const query = new URLSearchParams(location.search);
    const state = {
      function: FUNCTIONS.includes(query.get("function")) ? query.get("function") : "rosenbrock",
      optimizers: query.has("optimizers") ? query.get("optimizers").split(",").filter(n => NAMES.includes(n)) : ["sgd", "momentum", "adam"],
      set: {},
      ewma: {beta: query.get("ewma_beta") ?? "0.9", days: query.get("days") ?? "100"},
    };
    for (const key of ["momentum", "beta1", "beta2", "steps", "x", "y"].concat(NAMES.map(n => "lr_" + n))) {
      if (query.has(key)) state.set[key] = query.get(key);
    }

    function el(tag, attributes, parent) {
      const node = document.createElementNS(SVGNS, tag);
      for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
      if (parent) parent.appendChild(node);
      return node;
    }
    function text(parent, x, y, content, anchor) {
      const node = el("text", {x, y, "text-anchor": anchor ?? "start"}, parent);
      node.textContent = content;
      return node;
    }
    function setStatus(message, isError) {
      $("status").textContent = message;
      $("status").className = isError ? "error" : "";
      document.body.dataset.status = isError ? "error" : "ready";
    }
    function syncURL() {
      const params = new URLSearchParams({function: state.function, optimizers: state.optimizers.join(",")});
      for (const [key, value] of Object.entries(state.set)) params.set(key, value);
      params.set("ewma_beta", state.ewma.beta);
      params.set("days", state.ewma.days);
      history.replaceState(null, "", "?" + params.toString());
    }
    async function getJSON(url, signal) {
      const response = await fetch(url, {signal});
      const body = await response.json();
      if (!response.ok) throw new Error(body.error ?? ("HTTP " + response.status));
      return body;
    }

    // Controls.
    for (const name of FUNCTIONS) {
      const option = document.createElement("option");
      option.value = name; option.textContent = name;
      $("function").appendChild(option);
    }
    for (const name of NAMES) {
      const row = document.createElement("div");
      row.className = "row";
      row.innerHTML = `<input type="checkbox" id="use-${name}"><label for="use-${name}"><span class="swatch" style="background:${COLORS[name]}"></span>${LABELS[name]}</label>` +
        `<input type="range" id="lr-${name}" min="-5" max="1" step="0.05" title="learning rate (log scale)"><span class="value" id="lr-${name}-value"></span>`;
      $("optimizers").appendChild(row);
      $("use-" + name).addEventListener("change", (event) => {
        state.optimizers = NAMES.filter(n => $("use-" + n).checked);
        schedulePaths();
      });
      $("lr-" + name).addEventListener("input", (event) => {
        state.set["lr_" + name] = String(round(10 ** Number(event.target.value)));
        $("lr-" + name + "-value").textContent = state.set["lr_" + name];
        schedulePaths();
      });
    }
    $("function").addEventListener("change", (event) => {
      state.function = event.target.value;
      state.set = {};
      loadSurface();
      schedulePaths();
    });
    $("reset").addEventListener("click", () => { state.set = {}; schedulePaths(); });
    for (const [id, toValue] of [["momentum", Number], ["beta1", Number], ["beta2", (v) => 1 - 10 ** -Number(v)], ["steps", Number]]) {
      $(id).addEventListener("input", (event) => {
        state.set[id] = String(round(toValue(event.target.value)));
        $(id + "-value").textContent = state.set[id];
        schedulePaths();
      });
    }
    for (const id of ["ewma-beta", "days"]) {
      $(id).addEventListener("input", (event) => {
        state.ewma[id === "days" ? "days" : "beta"] = event.target.value;
        $(id + "-value").textContent = event.target.value;
        scheduleEWMA();
      });
    }

    // The paths plot's frame: data coordinates to pixels.
    const FRAME = {left: 44, top: 8, width: 486, height: 390};
    let surface = null;
    function toPixels(region, x, y) {
      return [FRAME.left + (x - region.x[0]) / (region.x[1] - region.x[0]) * FRAME.width,
              FRAME.top + (region.y[1] - y) / (region.y[1] - region.y[0]) * FRAME.height];
    }
    function shade(t) {
      // Banded: the band edges read as contour lines. Pale at the minimum, deep blue up high.
      const band = Math.min(13, Math.floor(t * 14)) / 13;
      const low = [255, 250, 228], high = [70, 90, 150];
      return low.map((c, i) => Math.round(c + (high[i] - c) * band));
    }
    function landscapeImage(levels) {
      const rows = levels.length, columns = levels[0].length;
      const all = levels.flat(), low = Math.min(...all), high = Math.max(...all);
      const canvas = document.createElement("canvas");
      canvas.width = columns; canvas.height = rows;
      const context = canvas.getContext("2d");
      const image = context.createImageData(columns, rows);
      for (let row = 0; row < rows; row++) {
        for (let column = 0; column < columns; column++) {
          const [r, g, b] = shade((levels[row][column] - low) / ((high - low) || 1));
          const at = ((rows - 1 - row) * columns + column) * 4;
          image.data.set([r, g, b, 255], at);
        }
      }
      context.putImageData(image, 0, 0);
      return canvas.toDataURL();
    }

    // data-paths on the body says "pending" from a control's move until the paths for the
    // latest settings are drawn, then "drawn" (a test waits on it).
    let pathsController = null, pathsTimer = null, pathsRequested = 0;
    function schedulePaths() {
      pathsRequested += 1;
      document.body.dataset.paths = "pending";
      clearTimeout(pathsTimer);
      pathsTimer = setTimeout(loadPaths, 40);
    }
    async function loadSurface() {
      try {
        surface = await getJSON("/api/surface?function=" + state.function);
        surface.image = landscapeImage(surface.levels);
        $("formula").textContent = surface.formula;
      } catch (error) { setStatus(error.message, true); }
    }
    async function loadPaths() {
      if (pathsController) pathsController.abort();
      pathsController = new AbortController();
      const ticket = pathsRequested;
      const params = new URLSearchParams({function: state.function, optimizers: state.optimizers.join(",")});
      for (const [key, value] of Object.entries(state.set)) {
        if (!key.startsWith("lr_") || state.optimizers.includes(key.slice(3))) params.set(key, value);
      }
      syncURL();
      if (state.optimizers.length === 0) { drawPaths(null); setStatus("Pick an optimizer.", false); return; }
      try {
        const started = performance.now();
        const result = await getJSON("/api/paths?" + params.toString(), pathsController.signal);
        if (!surface || surface.function !== result.function) await loadSurface();
        showSettings(result);
        drawPaths(result);
        drawLosses(result);
        setStatus(`${result.paths.length} paths of ${result.steps} steps in ${Math.round(performance.now() - started)} ms`, false);
        if (ticket === pathsRequested) document.body.dataset.paths = "drawn";
      } catch (error) {
        if (error.name !== "AbortError") setStatus(error.message, true);
      }
    }
    function showSettings(result) {
      $("function").value = result.function;
      for (const name of NAMES) {
        $("use-" + name).checked = state.optimizers.includes(name);
        const lr = result.settings.learningRates[name] ?? result.defaults.learningRates[name];
        const shown = state.set["lr_" + name] ?? lr;
        $("lr-" + name).value = Math.log10(shown);
        $("lr-" + name + "-value").textContent = round(shown);
      }
      const s = result.settings;
      $("momentum").value = s.momentum; $("momentum-value").textContent = round(s.momentum);
      $("beta1").value = s.beta1; $("beta1-value").textContent = round(s.beta1);
      $("beta2").value = -Math.log10(1 - s.beta2); $("beta2-value").textContent = round(s.beta2);
      $("steps").value = s.steps; $("steps-value").textContent = s.steps;
    }
    function drawPaths(result) {
      const svg = $("paths");
      svg.replaceChildren();
      if (!surface) return;
      const region = surface.region;
      el("image", {href: surface.image, x: FRAME.left, y: FRAME.top, width: FRAME.width, height: FRAME.height, preserveAspectRatio: "none"}, svg);
      el("rect", {x: FRAME.left, y: FRAME.top, width: FRAME.width, height: FRAME.height, fill: "none", stroke: "#888"}, svg);
      for (let i = 0; i <= 4; i++) {
        const x = region.x[0] + i / 4 * (region.x[1] - region.x[0]);
        const y = region.y[0] + i / 4 * (region.y[1] - region.y[0]);
        text(svg, toPixels(region, x, region.y[0])[0], FRAME.top + FRAME.height + 14, round(x), "middle");
        text(svg, FRAME.left - 4, toPixels(region, region.x[0], y)[1] + 4, round(y), "end");
      }
      if (!result) return;
      $("paths-title").textContent = `Paths on ${result.function}` + (result.conditionNumber ? ` (condition number ${result.conditionNumber})` : "");
      el("clipPath", {id: "frame"}, svg).appendChild(el("rect", {x: FRAME.left, y: FRAME.top, width: FRAME.width, height: FRAME.height}));
      const clipped = el("g", {"clip-path": "url(#frame)"}, svg);
      // Paths are drawn in the server's coordinates; one transform maps them onto the frame.
      const sx = FRAME.width / (region.x[1] - region.x[0]), sy = FRAME.height / (region.y[1] - region.y[0]);
      const g = el("g", {transform: `matrix(${sx} 0 0 ${-sy} ${FRAME.left - region.x[0] * sx} ${FRAME.top + region.y[1] * sy})`}, clipped);
      result.paths.forEach((path, index) => {
        // Earlier paths are drawn wider, so a path that runs over another leaves it visible.
        const width = 1.8 + 0.6 * (result.paths.length - 1 - index);
        const d = "M" + path.points.map(p => p[0] + " " + p[1]).join(" L");
        el("path", {d, "data-optimizer": path.name, fill: "none", stroke: COLORS[path.name], "stroke-width": width, "vector-effect": "non-scaling-stroke", "stroke-linejoin": "round", "stroke-linecap": "round"}, g);
      });
      for (const path of result.paths.filter(p => p.points.length <= 101)) {
        // Few steps: mark each one, so the size of every step shows.
        for (const point of path.points.slice(1)) {
          const [px, py] = toPixels(region, point[0], point[1]);
          el("circle", {cx: px, cy: py, r: 2.6, fill: COLORS[path.name]}, clipped);
        }
      }
      for (const minimum of result.minima) {
        const [px, py] = toPixels(region, minimum[0], minimum[1]);
        el("path", {d: `M${px - 6} ${py}h12M${px} ${py - 6}v12`, stroke: "#000", "stroke-width": 2.5}, clipped);
      }
      const [sx0, sy0] = toPixels(region, result.start[0], result.start[1]);
      el("circle", {cx: sx0, cy: sy0, r: 5, fill: "#fff", stroke: "#000", "stroke-width": 2}, clipped);
      for (const path of result.paths) {
        const end = path.points[path.points.length - 1];
        const [ex, ey] = toPixels(region, end[0], end[1]);
        el("circle", {cx: ex, cy: ey, r: 7, fill: COLORS[path.name], stroke: "#fff", "stroke-width": 2, "data-end": path.name}, clipped);
      }
      const table = $("results");
      table.innerHTML = "<tr><th>optimizer</th><th>final loss</th><th>to minimum</th></tr>";
      for (const path of result.paths) {
        const row = table.insertRow();
        const last = path.losses[path.losses.length - 1];
        row.innerHTML = `<td><span class="swatch" style="background:${COLORS[path.name]}"></span>${path.label}</td><td>${path.diverged ? "diverged" : last.toPrecision(3)}</td><td>${path.distanceToMinimum.toPrecision(3)}</td>`;
        row.title = path.settings;
      }
    }
    function drawLosses(result) {
      const svg = $("losses");
      svg.replaceChildren();
      const box = {left: 44, top: 8, width: 276, height: 256};
      const floor = 1e-12;
      const logs = result.paths.map(p => p.losses.map(l => Math.log10(Math.max(l, floor))));
      const all = logs.flat();
      let low = Math.floor(Math.min(...all)), high = Math.ceil(Math.max(...all));
      if (high === low) high = low + 1;
      const steps = Math.max(1, result.steps);
      const px = (i) => box.left + i / steps * box.width;
      const py = (v) => box.top + (high - v) / (high - low) * box.height;
      el("rect", {x: box.left, y: box.top, width: box.width, height: box.height, fill: "#fff", stroke: "#888"}, svg);
      const every = Math.ceil((high - low) / 6);
      for (let v = low; v <= high; v += every) {
        el("line", {x1: box.left, x2: box.left + box.width, y1: py(v), y2: py(v), stroke: "#eee"}, svg);
        text(svg, box.left - 4, py(v) + 4, "1e" + v, "end");
      }
      text(svg, box.left, box.top + box.height + 14, "0", "middle");
      text(svg, box.left + box.width, box.top + box.height + 14, String(steps), "middle");
      text(svg, box.left + box.width / 2, box.top + box.height + 28, "step", "middle");
      result.paths.forEach((path, index) => {
        const d = "M" + logs[index].map((v, i) => `${px(i).toFixed(1)} ${py(v).toFixed(1)}`).join(" L");
        el("path", {d, fill: "none", stroke: COLORS[path.name], "stroke-width": 1.8, "data-loss": path.name}, svg);
      });
    }

    let ewmaController = null, ewmaTimer = null;
    function scheduleEWMA() { clearTimeout(ewmaTimer); ewmaTimer = setTimeout(loadEWMA, 40); }
    async function loadEWMA() {
      if (ewmaController) ewmaController.abort();
      ewmaController = new AbortController();
      syncURL();
      try {
        const result = await getJSON(`/api/ewma?beta=${encodeURIComponent(state.ewma.beta)}&days=${encodeURIComponent(state.ewma.days)}`, ewmaController.signal);
        $("ewma-beta").value = result.beta; $("ewma-beta-value").textContent = result.beta;
        $("days").value = result.temperatures.length; $("days-value").textContent = result.temperatures.length;
        drawEWMA(result);
      } catch (error) {
        if (error.name !== "AbortError") setStatus(error.message, true);
      }
    }
    function drawEWMA(result) {
      const svg = $("ewma");
      svg.replaceChildren();
      $("ewma-title").textContent = `Daily temperatures and their moving averages, β ${result.beta}: a zero start lags, bias correction removes the lag`;
      const box = {left: 40, top: 8, width: 620, height: 206};
      const data = result.temperatures, n = data.length;
      const values = data.concat(...result.curves.map(c => c.values), [0]);
      const low = Math.floor(Math.min(...values) / 5) * 5, high = Math.ceil(Math.max(...values) / 5) * 5;
      const px = (i) => box.left + (n === 1 ? 0.5 : i / (n - 1)) * box.width;
      const py = (v) => box.top + (high - v) / ((high - low) || 1) * box.height;
      el("rect", {x: box.left, y: box.top, width: box.width, height: box.height, fill: "#fff", stroke: "#888"}, svg);
      for (let v = low; v <= high; v += 5) {
        el("line", {x1: box.left, x2: box.left + box.width, y1: py(v), y2: py(v), stroke: "#eee"}, svg);
        text(svg, box.left - 4, py(v) + 4, v + "°", "end");
      }
      text(svg, box.left, box.top + box.height + 14, "day 1", "middle");
      text(svg, box.left + box.width, box.top + box.height + 14, "day " + n, "middle");
      data.forEach((v, i) => el("circle", {cx: px(i), cy: py(v), r: 2.2, fill: "#6a9fd4"}, svg));
      const styles = {"first-value": ["#2ca02c", ""], "zero": ["#d62728", ""], "bias-corrected": ["#9467bd", "6 4"]};
      result.curves.forEach((curve, index) => {
        const [color, dash] = styles[curve.convention];
        const d = "M" + curve.values.map((v, i) => `${px(i).toFixed(1)} ${py(v).toFixed(1)}`).join(" L");
        el("path", {d, fill: "none", stroke: color, "stroke-width": 2.2, "stroke-dasharray": dash, "data-ewma": curve.convention}, svg);
        el("line", {x1: 680, x2: 708, y1: 30 + index * 22, y2: 30 + index * 22, stroke: color, "stroke-width": 2.5, "stroke-dasharray": dash}, svg);
        text(svg, 714, 34 + index * 22, curve.label);
      });
      el("circle", {cx: 694, cy: 96, r: 3, fill: "#6a9fd4"}, svg);
      text(svg, 714, 100, "temperature (°C)");
      text(svg, 680, 130, "v₀ = 0 makes v₁ = (1 − β) x₁:");
      text(svg, 680, 146, "the zero start begins near 0 and");
      text(svg, 680, 162, "lags for about 1/(1 − β) days;");
      text(svg, 680, 178, "dividing by 1 − βᵗ (Adam) undoes it.");
    }

    // Clicking the landscape starts the paths there.
    $("paths").addEventListener("click", (event) => {
      if (!surface) return;
      // The SVG is scaled to its box: back to its own units (540 wide), then to the frame.
      const rect = $("paths").getBoundingClientRect(), scale = 540 / rect.width;
      const fx = ((event.clientX - rect.left) * scale - FRAME.left) / FRAME.width;
      const fy = ((event.clientY - rect.top) * scale - FRAME.top) / FRAME.height;
      if (fx < 0 || fx > 1 || fy < 0 || fy > 1) return;
      const r = surface.region;
      state.set.x = String(round(r.x[0] + fx * (r.x[1] - r.x[0])));
      state.set.y = String(round(r.y[1] - fy * (r.y[1] - r.y[0])));
      schedulePaths();
    });

    loadSurface().then(loadPaths).then(loadEWMA).then(() => { document.body.dataset.loaded = "yes"; });
    </script>
    </body>
    </html>
    """#
}
