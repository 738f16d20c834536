/*
 * charts.js — small inline-SVG charts (no library): a line chart for per-second timelines
 * (gaps where a value is null are left open, never interpolated), horizontal bars with an
 * optional min–max whisker, and a histogram. Each SVG has role="img", an aria-label and a
 * <title>; every bar/point carries a <title> with its exact value for hover and screen
 * readers. Coordinates are in a fixed viewBox, scaled by CSS.
 */
const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs, ...kids) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const k of kids.flat()) if (k !== null && k !== undefined) el.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return el;
}

const round = (v) => Math.round(v * 100) / 100;

function frame(w, hgt, title) {
  return s('svg', { class: 'chart', viewBox: `0 0 ${w} ${hgt}`, role: 'img', 'aria-label': title, preserveAspectRatio: 'xMidYMid meet' }, s('title', {}, title));
}

/* True when some point has a value (a chart of only gaps says nothing). */
export const hasData = (series) => series.some((se) => se.points.some((p) => p[1] !== null && p[1] !== undefined));

/* series: [{name, points:[[x,y|null],...], cls}], opts: {title, yMin, yMax, yUnit, xUnit} */
export function lineChart(series, opts) {
  const W = 640, H = 220, L = 58, R = 12, T = 12, B = 28;
  const svg = frame(W, H, opts.title);
  const xs = series.flatMap((se) => se.points.map((p) => p[0]));
  const ys = series.flatMap((se) => se.points.map((p) => p[1]).filter((v) => v !== null && v !== undefined));
  const x0 = Math.min(...xs, 0), x1 = Math.max(...xs, 1);
  let y0 = opts.yMin ?? Math.min(...ys), y1 = opts.yMax ?? Math.max(...ys);
  if (!ys.length) { y0 = 0; y1 = 1; }
  if (y1 - y0 < 1e-9) { y0 -= 1; y1 += 1; }
  const pad = (y1 - y0) * 0.08;
  if (opts.yMin === undefined) y0 -= pad;
  if (opts.yMax === undefined) y1 += pad;
  const X = (v) => L + ((v - x0) / (x1 - x0 || 1)) * (W - L - R);
  const Y = (v) => H - B - ((v - y0) / (y1 - y0 || 1)) * (H - T - B);
  for (let i = 0; i <= 4; i++) {
    const v = y0 + ((y1 - y0) * i) / 4;
    svg.append(s('line', { class: 'grid-line', x1: L, x2: W - R, y1: round(Y(v)), y2: round(Y(v)) }),
      s('text', { x: L - 6, y: round(Y(v)) + 4, 'text-anchor': 'end' }, Math.abs(y1 - y0) >= 10 ? Math.round(v) : round(v)));
  }
  for (let i = 0; i <= 5; i++) {
    const v = x0 + ((x1 - x0) * i) / 5;
    svg.append(s('text', { x: round(X(v)), y: H - 8, 'text-anchor': 'middle' }, `${x1 - x0 >= 10 ? Math.round(v) : Math.round(v * 10) / 10}${opts.xUnit || ''}`));
  }
  svg.append(s('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B }), s('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }));
  series.forEach((se, k) => {
    let d = '', pen = false;
    for (const [x, y] of se.points) {
      if (y === null || y === undefined) { pen = false; continue; }
      d += `${pen ? 'L' : 'M'}${round(X(x))},${round(Y(y))}`;
      pen = true;
    }
    svg.append(s('path', { class: se.cls || (k ? 'series-2' : 'series'), d }, s('title', {}, se.name)));
  });
  return svg;
}

/* items: [{label, value, lo, hi, title}], opts: {title, max, unit} */
export function barChart(items, opts) {
  const rowH = 30, L = 150, R = 60, W = 560, T = 6;
  const H = T * 2 + items.length * rowH;
  const svg = frame(W, H, opts.title);
  const max = opts.max ?? Math.max(1, ...items.map((i) => i.hi ?? i.value ?? 0));
  const X = (v) => L + (Math.max(0, v) / max) * (W - L - R);
  items.forEach((it, i) => {
    const y = T + i * rowH;
    const label = it.label.length > 22 ? it.label.slice(0, 21) + '…' : it.label;
    const g = s('g', {}, s('title', {}, it.title || `${it.label}: ${it.value === null ? '—' : round(it.value)} ${opts.unit || ''}`),
      s('text', { x: L - 8, y: y + 19, 'text-anchor': 'end' }, label));
    if (it.value !== null && it.value !== undefined) {
      g.append(s('rect', { class: 'bar', x: L, y: y + 5, width: round(X(it.value) - L), height: rowH - 10, rx: 3 }),
        s('text', { x: round(X(it.value)) + 6, y: y + 19 }, round(it.value)));
      if (it.lo !== undefined && it.hi !== undefined && it.lo !== it.hi)
        g.append(s('line', { class: 'axis', x1: round(X(it.lo)), x2: round(X(it.hi)), y1: y + rowH / 2, y2: y + rowH / 2, 'stroke-width': 2 }));
    } else g.append(s('text', { x: L + 4, y: y + 19 }, '—'));
    svg.append(g);
  });
  return svg;
}

/* counts per equal-width bin over [lo, hi]. */
export function histogram(counts, opts) {
  const W = 640, H = 180, L = 36, B = 26, T = 10, R = 8;
  const svg = frame(W, H, opts.title);
  const max = Math.max(1, ...counts);
  const bw = (W - L - R) / counts.length;
  const lo = opts.lo ?? 0, hi = opts.hi ?? 100;
  counts.forEach((c, i) => {
    const hgt = (c / max) * (H - T - B);
    const a = lo + ((hi - lo) * i) / counts.length, b = lo + ((hi - lo) * (i + 1)) / counts.length;
    svg.append(s('rect', { class: 'bar-2', x: round(L + i * bw + 2), y: round(H - B - hgt), width: round(bw - 4), height: round(hgt), rx: 2 },
      s('title', {}, `${round(a)}–${round(b)}: ${c}`)));
    svg.append(s('text', { x: round(L + i * bw + bw / 2), y: H - 8, 'text-anchor': 'middle' }, round(a)));
  });
  svg.append(s('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }),
    s('text', { x: L - 6, y: T + 8, 'text-anchor': 'end' }, max));
  return svg;
}
