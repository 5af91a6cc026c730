// The taskscope HTML report's drawing (docs/html-report.md): the timeline (one
// lane per thread and task, zoom, pan, hover details), threads and tasks by
// state over time and channel depth over time (sortable.js sorts the tables). It
// reads the JSON in #taskscope-data (written by analyzer/src/html/page_data.cpp)
// and loads nothing else. When done, the body's data-rendered attribute is set.
(function () {
  'use strict';

  var data = JSON.parse(document.getElementById('taskscope-data').textContent);
  // The SVG namespace, as the HTML parser assigns it (the page names no URL).
  var SVG_NS = (function () {
    var probe = document.createElement('div');
    probe.innerHTML = '<svg></svg>';
    return probe.firstChild.namespaceURI;
  })();

  // Slice kinds, as html::SliceKind numbers them.
  var RUNNABLE = 0, RUNNING = 1, BLOCKED = 2, IDLE = 3, SPAN = 4, HOLD = 5, MARK = 6;
  var STATE_COLORS = ['#b9d7f2', '#3a9d5d', '#d9534f', '#d8dce3'];
  var STATE_NAMES = ['runnable / pending', 'running / polling', 'blocked', 'idle (awaiting a wake)'];
  var BLOCKED_COLORS = {
    lock: '#d9534f', read_lock: '#e0787a', acquire: '#c2185b', cond_wait: '#8e44ad',
    send: '#e67e22', recv: '#f0b429', join: '#9b59b6', io: '#2e86c1', sleep: '#7f8c8d',
    barrier: '#a04000', futex_wait: '#b03a2e', other: '#95a5a6'
  };
  var SPAN_COLOR = '#7b5ea7', HOLD_COLOR = '#a0522d', ARROW_COLOR = 'rgba(40, 50, 70, 0.3)';

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var key in attrs || {}) node.setAttribute(key, attrs[key]);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function svgEl(tag, attrs) {
    var node = document.createElementNS(SVG_NS, tag);
    for (var key in attrs || {}) node.setAttribute(key, attrs[key]);
    return node;
  }

  // Trace time (ns from the start) for people: "1.250 s", "12.5 ms", "40 us".
  function fmtTime(ns) {
    var abs = Math.abs(ns);
    if (abs >= 1e9) return (ns / 1e9).toFixed(3) + ' s';
    if (abs >= 1e6) return (ns / 1e6).toFixed(abs >= 1e8 ? 0 : 2) + ' ms';
    if (abs >= 1e3) return (ns / 1e3).toFixed(abs >= 1e5 ? 0 : 1) + ' us';
    return Math.round(ns) + ' ns';
  }
  function blockedColor(tag) { return BLOCKED_COLORS[tag] || BLOCKED_COLORS.other; }
  function niceStep(span, target) {
    var raw = span / Math.max(target, 1);
    var power = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-9))));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * power >= raw) return steps[i] * power;
    return 10 * power;
  }

  // ---------------------------------------------------------------- timeline
  function Timeline(root, tl, duration, atNs) {
    var LANE_H = 20, AXIS_H = 24;
    var strings = tl.strings;
    // Threads first, then tasks, each in order of appearance.
    var order = [];
    tl.lanes.forEach(function (lane, i) { if (lane.type === 'thread') order.push(i); });
    tl.lanes.forEach(function (lane, i) { if (lane.type !== 'thread') order.push(i); });
    var row = new Array(tl.lanes.length);
    order.forEach(function (lane, r) { row[lane] = r; });

    // Slices per lane, drawn states first (runnable, idle, running, blocked), then overlays.
    var DRAW_ORDER = [0, 2, 3, 1, 4, 5, 6];
    var byLane = tl.lanes.map(function () { return []; });
    tl.slices.forEach(function (s) { byLane[s[0]].push(s); });
    byLane.forEach(function (list) {
      list.sort(function (a, b) { return DRAW_ORDER[a[3]] - DRAW_ORDER[b[3]] || a[1] - b[1]; });
    });
    var cellsByLane = tl.lanes.map(function () { return []; });
    tl.cells.forEach(function (c) { cellsByLane[c[0]].push(c); });
    var usedTags = {};
    tl.slices.forEach(function (s) { if (s[3] === BLOCKED) usedTags[strings[s[4]] || 'other'] = true; });

    // Toolbar and legend.
    var toolbar = el('div', { 'class': 'tl-toolbar' });
    var zoomIn = el('button', { type: 'button' }, 'Zoom in');
    var zoomOut = el('button', { type: 'button' }, 'Zoom out');
    var reset = el('button', { type: 'button' }, 'Whole trace');
    var rangeText = el('span', { 'class': 'range' });
    [zoomIn, zoomOut, reset, rangeText].forEach(function (n) { toolbar.appendChild(n); });
    root.appendChild(toolbar);
    var legend = el('div', { 'class': 'legend' });
    function swatch(color, text, style) {
      var item = el('span');
      var box = el('span', { 'class': 'swatch', style: 'background:' + color + (style || '') });
      item.appendChild(box);
      item.appendChild(document.createTextNode(text));
      legend.appendChild(item);
    }
    for (var s = 0; s < 4; s++) if (s !== BLOCKED) swatch(STATE_COLORS[s], STATE_NAMES[s]);
    Object.keys(usedTags).sort().forEach(function (tag) { swatch(blockedColor(tag), 'blocked: ' + tag); });
    swatch(SPAN_COLOR, 'span', ';height:4px');
    swatch(HOLD_COLOR, 'lock held', ';height:4px');
    swatch(ARROW_COLOR, 'spawn (arrow)', ';height:2px');
    root.appendChild(legend);

    // Lanes: labels in the DOM, drawing on a canvas beside them.
    var body = el('div', { 'class': 'tl-body' });
    var labels = el('div', { 'class': 'tl-labels' });
    labels.appendChild(el('div', { 'class': 'axis-spacer', style: 'height:' + AXIS_H + 'px' }));
    order.forEach(function (i) {
      var lane = tl.lanes[i];
      var label = el('div', {
        'class': 'lane-label ' + lane.type + (lane.focus ? ' focus' : ''),
        'data-agent': lane.name, 'data-type': lane.type, title: lane.name + ' (' + lane.type + ')',
        style: 'height:' + LANE_H + 'px;line-height:' + LANE_H + 'px'
      }, lane.name);
      label.appendChild(el('span', { 'class': 'kind' }, lane.type));
      labels.appendChild(label);
    });
    var wrap = el('div', { 'class': 'tl-canvas-wrap' });
    var canvas = el('canvas', { 'aria-label': 'timeline of ' + order.length + ' lanes' });
    wrap.appendChild(canvas);
    body.appendChild(labels);
    body.appendChild(wrap);
    root.appendChild(body);
    var notes = [];
    if (tl.folded_slices > 0)
      notes.push(tl.folded_slices + ' slices shorter than ' + fmtTime(tl.min_kept_ns) +
                 ' are summarised as shaded blocks (every slice is kept for the findings\u2019 agents and around the findings).');
    if (tl.omitted_lanes > 0) notes.push(tl.omitted_lanes + ' more lanes are not drawn.');
    if (notes.length) root.appendChild(el('p', { 'class': 'note' }, notes.join(' ')));
    var tooltip = el('div', { 'class': 'tooltip', hidden: '' });
    document.body.appendChild(tooltip);

    var view = { t0: 0, t1: Math.max(duration, 1) };
    var height = AXIS_H + order.length * LANE_H + 4;
    var width = 0;
    var ctx = canvas.getContext('2d');

    function x(t) { return (t - view.t0) / (view.t1 - view.t0) * width; }
    function timeAt(px) { return view.t0 + px / width * (view.t1 - view.t0); }

    function resize() {
      width = Math.max(wrap.clientWidth, 200);
      var ratio = Math.min(window.devicePixelRatio || 1, 30000 / height, 4);
      canvas.width = Math.floor(width * ratio);
      canvas.height = Math.floor(height * ratio);
      canvas.style.width = width + 'px';
      canvas.style.height = height + 'px';
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      draw();
    }

    function drawAxis() {
      ctx.fillStyle = '#f5f7fa';
      ctx.fillRect(0, 0, width, AXIS_H);
      var step = niceStep(view.t1 - view.t0, width / 110);
      ctx.fillStyle = '#667085';
      ctx.font = '11px system-ui, Helvetica, Arial, sans-serif';
      ctx.textBaseline = 'middle';
      for (var t = Math.ceil(view.t0 / step) * step; t <= view.t1; t += step) {
        var px = x(t);
        ctx.fillRect(px, AXIS_H - 6, 1, 6);
        ctx.fillText(fmtTime(t), px + 3, AXIS_H / 2 - 2);
        ctx.fillStyle = 'rgba(0,0,0,0.05)';
        ctx.fillRect(px, AXIS_H, 1, height - AXIS_H);
        ctx.fillStyle = '#667085';
      }
      ctx.fillStyle = '#d9dee7';
      ctx.fillRect(0, AXIS_H - 1, width, 1);
    }

    function drawCells(lane, y) {
      var cells = cellsByLane[lane];
      var cw = tl.column_ns;
      for (var i = 0; i < cells.length; i++) {
        var c = cells[i];
        var x0 = x(c[1] * cw), x1 = x((c[1] + 1) * cw);
        if (x1 < 0 || x0 > width) continue;
        var best = 0, total = 0;
        for (var k = 0; k < 4; k++) { total += c[2 + k]; if (c[2 + k] > c[2 + best]) best = k; }
        ctx.globalAlpha = 0.35 + 0.65 * Math.min(1, total / cw);
        ctx.fillStyle = STATE_COLORS[best];
        ctx.fillRect(x0, y + 3, Math.max(x1 - x0, 1), LANE_H - 8);
      }
      ctx.globalAlpha = 1;
    }

    function drawSlice(sl, y) {
      var x0 = x(sl[1]), x1 = x(sl[2]);
      if (x1 < -1 || x0 > width + 1) return;
      var w = Math.max(x1 - x0, sl[3] === MARK ? 0 : 1);
      switch (sl[3]) {
        case SPAN: ctx.fillStyle = SPAN_COLOR; ctx.fillRect(x0, y + 1, w, 3); return;
        case HOLD: ctx.fillStyle = HOLD_COLOR; ctx.fillRect(x0, y + LANE_H - 5, w, 3); return;
        case MARK:
          ctx.fillStyle = '#222';
          ctx.beginPath(); ctx.moveTo(x0, y + 4); ctx.lineTo(x0 - 3, y + 10); ctx.lineTo(x0 + 3, y + 10); ctx.fill();
          return;
        case BLOCKED: ctx.fillStyle = blockedColor(strings[sl[4]]); break;
        default: ctx.fillStyle = STATE_COLORS[sl[3]];
      }
      ctx.fillRect(x0, y + 5, w, LANE_H - 10);
      if (w > 40 && sl[3] !== RUNNABLE) {
        var label = strings[sl[5]] || '';
        ctx.save();
        ctx.beginPath(); ctx.rect(x0, y, w, LANE_H); ctx.clip();
        ctx.fillStyle = sl[3] === IDLE ? '#444' : '#fff';
        ctx.font = '10px system-ui, Helvetica, Arial, sans-serif';
        ctx.textBaseline = 'middle';
        ctx.fillText(label, x0 + 3, y + LANE_H / 2);
        ctx.restore();
      }
    }

    function drawArrows() {
      ctx.strokeStyle = ARROW_COLOR;
      ctx.fillStyle = ARROW_COLOR;
      ctx.lineWidth = 1;
      tl.arrows.forEach(function (a) {
        var x0 = x(a[1]), x1 = x(a[3]);
        if ((x0 < 0 && x1 < 0) || (x0 > width && x1 > width)) return;
        var y0 = AXIS_H + row[a[0]] * LANE_H + LANE_H / 2;
        var y1 = AXIS_H + row[a[2]] * LANE_H + LANE_H / 2;
        ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
        var angle = Math.atan2(y1 - y0, x1 - x0);
        ctx.beginPath();
        ctx.moveTo(x1, y1);
        ctx.lineTo(x1 - 6 * Math.cos(angle - 0.4), y1 - 6 * Math.sin(angle - 0.4));
        ctx.lineTo(x1 - 6 * Math.cos(angle + 0.4), y1 - 6 * Math.sin(angle + 0.4));
        ctx.fill();
      });
    }

    function draw() {
      ctx.clearRect(0, 0, width, height);
      drawAxis();
      for (var r = 0; r < order.length; r++) {
        var lane = order[r], y = AXIS_H + r * LANE_H;
        if (r % 2) { ctx.fillStyle = '#fafbfc'; ctx.fillRect(0, y, width, LANE_H); }
        drawCells(lane, y);
        var list = byLane[lane];
        for (var i = 0; i < list.length; i++) drawSlice(list[i], y);
      }
      drawArrows();
      if (atNs >= view.t0 && atNs <= view.t1) {
        ctx.strokeStyle = '#c0392b';
        ctx.setLineDash([4, 3]);
        ctx.beginPath(); ctx.moveTo(x(atNs), AXIS_H); ctx.lineTo(x(atNs), height); ctx.stroke();
        ctx.setLineDash([]);
      }
      rangeText.textContent = fmtTime(view.t0) + ' \u2013 ' + fmtTime(view.t1) +
          ' (' + fmtTime(view.t1 - view.t0) + ' shown)';
    }

    function zoom(factor, centre) {
      var span = Math.min(Math.max((view.t1 - view.t0) * factor, 1000), duration * 1.5 + 1);
      var t = centre === undefined ? (view.t0 + view.t1) / 2 : centre;
      var left = (t - view.t0) / (view.t1 - view.t0);
      view.t0 = t - left * span;
      view.t1 = view.t0 + span;
      clampView();
      draw();
    }
    function clampView() {
      var span = view.t1 - view.t0;
      if (view.t0 < -span * 0.05) { view.t0 = -span * 0.05; view.t1 = view.t0 + span; }
      if (view.t1 > duration + span * 0.05) { view.t1 = duration + span * 0.05; view.t0 = view.t1 - span; }
    }

    // What is under the pointer: the innermost slice (overlays in their bands), or a folded cell.
    function hit(px, py) {
      var r = Math.floor((py - AXIS_H) / LANE_H);
      if (r < 0 || r >= order.length) return null;
      var lane = order[r], band = py - AXIS_H - r * LANE_H;
      var t = timeAt(px), slack = (view.t1 - view.t0) / width * 2;
      var best = null;
      // Slices are in drawing order: the last one under the pointer is the one on top.
      byLane[lane].forEach(function (sl) {
        if (sl[1] - slack > t || sl[2] + slack < t) return;
        if (sl[3] === SPAN && band > 5) return;
        if (sl[3] === HOLD && band < LANE_H - 6) return;
        best = sl;
      });
      if (best) return { lane: lane, slice: best };
      var column = Math.floor(t / tl.column_ns);
      var cell = cellsByLane[lane].find(function (c) { return c[1] === column; });
      return cell ? { lane: lane, cell: cell } : { lane: lane };
    }

    function describe(h) {
      var lane = tl.lanes[h.lane];
      var lines = [];
      if (h.slice) {
        var sl = h.slice, kind = sl[3];
        var what = kind === BLOCKED ? 'blocked (' + (strings[sl[4]] || 'wait') + ')'
                 : kind === SPAN ? 'span' : kind === HOLD ? 'lock held' : kind === MARK ? 'mark'
                 : kind === RUNNING ? (lane.type === 'task' ? 'polled' : 'polling') : STATE_NAMES[kind];
        lines.push('<b>' + escapeHtml(strings[sl[5]] || what) + '</b>');
        lines.push(escapeHtml(what + ' \u00b7 ' + lane.name));
        lines.push(escapeHtml('from ' + fmtTime(sl[1]) + ' for ' + fmtTime(sl[2] - sl[1])));
        if (strings[sl[6]]) lines.push(escapeHtml(strings[sl[6]]));
      } else if (h.cell) {
        var c = h.cell, parts = [];
        for (var k = 0; k < 4; k++) if (c[2 + k] > 0) parts.push(STATE_NAMES[k] + ' ' + fmtTime(c[2 + k]));
        lines.push('<b>' + escapeHtml(lane.name) + '</b>');
        lines.push(escapeHtml('short slices from ' + fmtTime(c[1] * tl.column_ns) + ' for ' + fmtTime(tl.column_ns)));
        lines.push(escapeHtml(parts.join(', ')));
      } else {
        return null;
      }
      return lines.join('\n');
    }

    var drag = null;
    canvas.addEventListener('mousedown', function (e) {
      drag = { x: e.clientX, t0: view.t0, t1: view.t1 };
      canvas.classList.add('dragging');
      e.preventDefault();
    });
    window.addEventListener('mouseup', function () { drag = null; canvas.classList.remove('dragging'); });
    window.addEventListener('mousemove', function (e) {
      if (!drag) return;
      var dt = (e.clientX - drag.x) / width * (drag.t1 - drag.t0);
      view.t0 = drag.t0 - dt;
      view.t1 = drag.t1 - dt;
      clampView();
      draw();
    });
    canvas.addEventListener('mousemove', function (e) {
      if (drag) { tooltip.hidden = true; return; }
      var box = canvas.getBoundingClientRect();
      var h = hit(e.clientX - box.left, e.clientY - box.top);
      var html = h && describe(h);
      if (!html) { tooltip.hidden = true; return; }
      tooltip.innerHTML = html;
      tooltip.hidden = false;
      var left = Math.min(e.clientX + 14, window.innerWidth - tooltip.offsetWidth - 8);
      tooltip.style.left = left + 'px';
      tooltip.style.top = (e.clientY + 14) + 'px';
    });
    canvas.addEventListener('mouseleave', function () { tooltip.hidden = true; });
    canvas.addEventListener('wheel', function (e) {
      var box = canvas.getBoundingClientRect();
      if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        var delta = (e.deltaX || e.deltaY) / width * (view.t1 - view.t0);
        view.t0 += delta; view.t1 += delta;
        clampView();
        draw();
      } else {
        zoom(Math.pow(1.0015, e.deltaY), timeAt(e.clientX - box.left));
      }
      e.preventDefault();
    }, { passive: false });
    zoomIn.addEventListener('click', function () { zoom(0.5); });
    zoomOut.addEventListener('click', function () { zoom(2); });
    reset.addEventListener('click', function () { view.t0 = 0; view.t1 = Math.max(duration, 1); draw(); });
    window.addEventListener('resize', resize);
    window.addEventListener('beforeprint', resize);
    resize();
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  // ------------------------------------------------------------------ charts
  // A time axis and a value axis around a plot area of `w` x `h` in a viewBox.
  function chartFrame(w, h, duration, maxValue, unit) {
    var PAD_L = 44, PAD_B = 20, PAD_T = 6, PAD_R = 10;
    var svg = svgEl('svg', { viewBox: '0 0 ' + (w + PAD_L + PAD_R) + ' ' + (h + PAD_T + PAD_B), role: 'img' });
    var plot = svgEl('g', { transform: 'translate(' + PAD_L + ',' + PAD_T + ')' });
    svg.appendChild(plot);
    plot.appendChild(svgEl('rect', { x: 0, y: 0, width: w, height: h, fill: '#fafbfc', stroke: '#d9dee7' }));
    var tStep = niceStep(duration, w / 120);
    for (var t = 0; t <= duration; t += tStep) {
      var px = t / Math.max(duration, 1) * w;
      plot.appendChild(svgEl('line', { x1: px, x2: px, y1: h, y2: h + 4, stroke: '#98a2b3' }));
      var label = svgEl('text', { x: px, y: h + 15, 'font-size': 10, fill: '#667085', 'text-anchor': 'middle' });
      label.textContent = fmtTime(t);
      plot.appendChild(label);
    }
    var vStep = niceStep(maxValue, 4);
    for (var v = 0; v <= maxValue + 1e-9; v += vStep) {
      var py = h - v / Math.max(maxValue, 1e-9) * h;
      plot.appendChild(svgEl('line', { x1: 0, x2: w, y1: py, y2: py, stroke: 'rgba(0,0,0,0.07)' }));
      var vl = svgEl('text', { x: -5, y: py + 3, 'font-size': 10, fill: '#667085', 'text-anchor': 'end' });
      vl.textContent = (Math.round(v * 100) / 100) + (unit || '');
      plot.appendChild(vl);
    }
    return { svg: svg, plot: plot };
  }

  function stateChart(root, states, duration) {
    var W = 1000, H = 180;
    var intervals = states.intervals;
    if (!intervals.length) { root.appendChild(el('p', { 'class': 'muted' }, 'No agents recorded.')); return; }
    // Drawn bottom to top: running, runnable, blocked, idle (stats' AgentState order).
    var colors = [STATE_COLORS[RUNNING], STATE_COLORS[RUNNABLE], STATE_COLORS[BLOCKED], STATE_COLORS[IDLE]];
    var maxTotal = 0;
    intervals.forEach(function (iv) { maxTotal = Math.max(maxTotal, iv[2] + iv[3] + iv[4] + iv[5]); });
    maxTotal = Math.max(maxTotal, 1);
    var frame = chartFrame(W, H, duration, maxTotal, '');
    var sx = function (t) { return t / Math.max(duration, 1) * W; };
    var sy = function (v) { return H - v / maxTotal * H; };
    for (var s = 3; s >= 0; s--) {
      // The top edge of the stack up to state s, as steps; the area below it in its colour.
      var points = [];
      intervals.forEach(function (iv) {
        var top = 0;
        for (var k = 0; k <= s; k++) top += iv[2 + k];
        points.push(sx(iv[0]) + ',' + sy(top), sx(iv[1]) + ',' + sy(top));
      });
      points.push(sx(intervals[intervals.length - 1][1]) + ',' + H, sx(intervals[0][0]) + ',' + H);
      var area = svgEl('polygon', { points: points.join(' '), fill: colors[s], 'data-state': states.names[s] });
      var title = svgEl('title');
      title.textContent = states.names[s];
      area.appendChild(title);
      frame.plot.appendChild(area);
    }
    var wrap = el('div', { 'class': 'chart' });
    wrap.appendChild(frame.svg);
    root.appendChild(wrap);
    var legend = el('div', { 'class': 'legend' });
    states.names.forEach(function (name, i) {
      var item = el('span');
      item.appendChild(el('span', { 'class': 'swatch', style: 'background:' + colors[i] }));
      item.appendChild(document.createTextNode(name));
      legend.appendChild(item);
    });
    root.appendChild(legend);
    root.appendChild(el('p', { 'class': 'note' }, 'Mean number of threads and tasks in each state per interval of ' +
        fmtTime(intervals[0][1] - intervals[0][0]) + '.'));
  }

  function channelCharts(root, channels, duration) {
    if (!channels.length) { root.appendChild(el('p', { 'class': 'muted' }, 'No channel traffic recorded.')); return; }
    var grid = el('div', { 'class': 'chart-grid' });
    channels.forEach(function (ch) {
      var W = 600, H = 110;
      var max = ch.capacity || 0;
      ch.points.forEach(function (p) { max = Math.max(max, p[2]); });
      max = Math.max(max, 1);
      var frame = chartFrame(W, H, duration, max, '');
      var sx = function (t) { return t / Math.max(duration, 1) * W; };
      var sy = function (v) { return H - v / max * H; };
      var line = [], band = [];
      var last = 0;
      ch.points.forEach(function (p) {
        line.push(sx(p[0]) + ',' + sy(last), sx(p[0]) + ',' + sy(p[3]));
        band.push(svgEl('line', { x1: sx(p[0]), x2: sx(p[0]), y1: sy(p[1]), y2: sy(p[2]), stroke: '#9ec5e8', 'stroke-width': 2 }));
        last = p[3];
      });
      line.push(W + ',' + sy(last));
      band.forEach(function (b) { frame.plot.appendChild(b); });
      frame.plot.appendChild(svgEl('polyline', { points: line.join(' '), fill: 'none', stroke: '#2e86c1', 'stroke-width': 1.5 }));
      if (ch.capacity) {
        frame.plot.appendChild(svgEl('line', { x1: 0, x2: W, y1: sy(ch.capacity), y2: sy(ch.capacity),
                                               stroke: '#c0392b', 'stroke-dasharray': '5 3' }));
      }
      var box = el('div', { 'class': 'chart channel', 'data-channel': ch.name });
      var peak = 0;
      ch.points.forEach(function (p) { peak = Math.max(peak, p[2]); });
      box.appendChild(el('div', { 'class': 'title' }, 'channel "' + ch.name + '" \u2014 ' +
          (ch.capacity ? 'bounded, capacity ' + ch.capacity : 'unbounded') + ', peak depth ' + peak));
      box.appendChild(frame.svg);
      grid.appendChild(box);
    });
    root.appendChild(grid);
  }

  Timeline(document.getElementById('timeline-view'), data.timeline, data.duration_ns, data.at_ns);
  stateChart(document.getElementById('state-chart'), data.states, data.duration_ns);
  channelCharts(document.getElementById('channel-charts'), data.channels, data.duration_ns);
  document.body.setAttribute('data-lanes', String(data.timeline.lanes.length));
  document.body.setAttribute('data-resources-loaded',
      String(performance.getEntriesByType('resource').length));
  document.body.setAttribute('data-rendered', 'true');
})();
