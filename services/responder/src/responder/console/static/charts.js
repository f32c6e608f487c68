// Small hand-written SVG charts: lines (with gaps where there is no value) and bars.
import { s } from "./dom.js";

const W = 360;
const H = 140;
const PAD = { left: 36, right: 8, top: 10, bottom: 22 };

function frame(title, summary, min, max, labels, format, each = false) {
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `${title}: ${summary}`, class: "chart" });
  svg.append(s("title", {}, title));
  const bottom = H - PAD.bottom;
  svg.append(s("line", { x1: PAD.left, x2: W - PAD.right, y1: bottom, y2: bottom, class: "axis" }));
  svg.append(s("text", { x: PAD.left - 4, y: PAD.top + 4, class: "tick", "text-anchor": "end" }, format(max)));
  svg.append(s("text", { x: PAD.left - 4, y: bottom, class: "tick", "text-anchor": "end" }, format(min)));
  if (each) {
    const slot = (W - PAD.left - PAD.right) / labels.length;
    labels.forEach((text, i) => svg.append(s("text", { x: PAD.left + (i + 0.5) * slot, y: H - 6, class: "tick", "text-anchor": "middle" }, text)));
  } else if (labels.length) {
    svg.append(s("text", { x: PAD.left, y: H - 6, class: "tick" }, labels[0]));
    svg.append(s("text", { x: W - PAD.right, y: H - 6, class: "tick", "text-anchor": "end" }, labels.at(-1)));
  }
  return svg;
}

function scale(n, min, max) {
  const x = (i) => PAD.left + (n <= 1 ? (W - PAD.left - PAD.right) / 2 : (i * (W - PAD.left - PAD.right)) / (n - 1));
  const y = (v) => H - PAD.bottom - ((v - min) / (max - min || 1)) * (H - PAD.top - PAD.bottom);
  return { x, y };
}

export function lineChart({ title, summary, labels, series, min, max, format = String }) {
  const svg = frame(title, summary, min, max, labels, format);
  const { x, y } = scale(labels.length, min, max);
  if (min < 0 && max > 0) svg.append(s("line", { x1: PAD.left, x2: W - PAD.right, y1: y(0), y2: y(0), class: "zero" }));
  for (const line of series) {
    let path = "";
    line.values.forEach((v, i) => {
      if (v === null || v === undefined) return;
      const joined = i > 0 && line.values[i - 1] !== null && line.values[i - 1] !== undefined;
      path += `${joined ? "L" : "M"}${x(i).toFixed(1)} ${y(v).toFixed(1)} `;
      svg.append(s("circle", { cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: 2.5, class: `dot ${line.className}` }));
    });
    if (path) svg.append(s("path", { d: path.trim(), class: `line ${line.className}` }));
  }
  return svg;
}

export function barChart({ title, summary, labels, values, max, format = String }) {
  const svg = frame(title, summary, 0, max, labels, format, values.length <= 8);
  const { y } = scale(values.length, 0, max);
  const slot = (W - PAD.left - PAD.right) / Math.max(values.length, 1);
  values.forEach((v, i) => {
    if (v === null || v === undefined) return;
    const top = y(v);
    svg.append(s("rect", { x: (PAD.left + i * slot + slot * 0.15).toFixed(1), y: top.toFixed(1), width: (slot * 0.7).toFixed(1), height: (H - PAD.bottom - top).toFixed(1), class: "bar" }));
  });
  return svg;
}
