// radar: the field scores (0 to 100) as an inline SVG radar chart.
import { s } from './dom.js';
import { frNumber } from './i18n.js';

/** fields: [{id, name, score}]; returns an <svg role="img"> with a title and a description. */
export function radarChart(fields, { title = 'Scores par champ', size = 260 } = {}) {
  const padX = 118;
  const padY = 72;
  const width = size + padX * 2;
  const height = size + padY * 2;
  const cx = width / 2;
  const cy = height / 2;
  const r = size / 2;
  const n = fields.length;
  const angle = (i) => -Math.PI / 2 + (2 * Math.PI * i) / n;
  const at = (i, v) => [cx + Math.cos(angle(i)) * r * v, cy + Math.sin(angle(i)) * r * v];
  const pts = (v) => fields.map((_, i) => at(i, typeof v === 'function' ? v(i) : v).map((x) => x.toFixed(1)).join(',')).join(' ');
  const desc = fields.map((f) => `${f.name} : ${f.score === null || f.score === undefined ? 'sans réponse' : `${frNumber(f.score)} sur 100`}`).join(' ; ');
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`, class: 'radar', role: 'img', 'aria-labelledby': 'radar-title radar-desc',
    'data-testid': 'radar',
  },
  s('title', { id: 'radar-title' }, title),
  s('desc', { id: 'radar-desc' }, desc));
  for (const v of [0.25, 0.5, 0.75, 1]) {
    svg.append(s('polygon', { points: pts(v), class: 'radar-ring' }));
  }
  fields.forEach((f, i) => {
    const [x, y] = at(i, 1);
    svg.append(s('line', { x1: cx, y1: cy, x2: x.toFixed(1), y2: y.toFixed(1), class: 'radar-axis' }));
  });
  for (const v of [50, 100]) {
    svg.append(s('text', { x: cx + 4, y: (cy - r * (v / 100) + 12).toFixed(1), class: 'radar-tick' }, String(v)));
  }
  const value = (i) => Math.max(0, Math.min(100, Number(fields[i].score) || 0)) / 100;
  svg.append(s('polygon', { points: pts(value), class: 'radar-area' }));
  fields.forEach((f, i) => {
    const [x, y] = at(i, value(i));
    svg.append(s('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: 5, class: 'radar-point' }));
    const [lx, ly] = at(i, 1.1);
    const cos = Math.cos(angle(i));
    const anchor = Math.abs(cos) < 0.2 ? 'middle' : cos > 0 ? 'start' : 'end';
    const words = splitLabel(f.name);
    const block = 17 * (words.length - 1) + 18;
    const sin = Math.sin(angle(i));
    const base = sin > 0.2 ? ly + 12 : sin < -0.2 ? ly - block - 4 : ly - block / 2 + 5;
    const label = s('text', { x: lx.toFixed(1), y: base.toFixed(1), 'text-anchor': anchor, class: 'radar-label' });
    words.forEach((w, k) => label.append(s('tspan', { x: lx.toFixed(1), dy: k === 0 ? 0 : 17 }, w)));
    label.append(s('tspan', { x: lx.toFixed(1), dy: 18, class: 'radar-value' },
      f.score === null || f.score === undefined ? '—' : frNumber(f.score)));
    svg.append(label);
  });
  return svg;
}

function splitLabel(name) {
  if (name.length <= 14) return [name];
  const words = name.split(' ');
  const lines = [''];
  for (const w of words) {
    const cur = lines[lines.length - 1];
    if (cur && (cur + ' ' + w).length > 14) lines.push(w);
    else lines[lines.length - 1] = cur ? `${cur} ${w}` : w;
  }
  return lines;
}
