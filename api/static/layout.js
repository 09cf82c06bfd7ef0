// A force-directed layout (Fruchterman–Reingold) for the network view. Deterministic: the same
// graph is always drawn the same way (a sunflower spiral in the server's node order to start,
// a fixed number of steps, no randomness), so a screenshot or a colleague sees what you saw.
// Each connected part is laid out on its own and the parts are packed in rows, largest first:
// otherwise parts repel each other to the edges and the fitted drawing shrinks to dots.
// Quadratic in the nodes of a part, which the view keeps to a few hundred (the server's
// `limit`), so it takes milliseconds.

const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));

/**
 * Positions for `nodes` ([{id}]) joined by `links` ([{source, target, weight}]), in the
 * proportions of a width × height box: an array of {x, y} in the nodes' order.
 */
export function forceLayout(nodes, links, { width, height }) {
  const count = nodes.length;
  if (!count) return [];
  const index = new Map(nodes.map((node, i) => [node.id, i]));
  const edges = [];
  for (const link of links) {
    const a = index.get(link.source);
    const b = index.get(link.target);
    if (a !== undefined && b !== undefined && a !== b) edges.push([a, b, Number(link.weight) > 0 ? Number(link.weight) : 1]);
  }
  const heaviest = Math.max(1, ...edges.map((edge) => edge[2]));
  const unit = Math.sqrt((width * height) / count); // the room one node gets
  const parts = components(count, edges);
  // Rows as wide as makes the whole drawing about as wide as the box, relative to its height.
  const rowWidth = Math.max(unit * Math.sqrt(parts[0].length), Math.sqrt(count * unit * unit * (width / height)));
  const positions = new Array(count);
  let left = 0;
  let top = 0;
  let rowHeight = 0;
  for (const part of parts) {
    const side = unit * Math.sqrt(part.length);
    if (left > 0 && left + side > rowWidth) {
      left = 0;
      top += rowHeight + unit * 0.5;
      rowHeight = 0;
    }
    const local = layoutPart(part, edges, heaviest, side);
    part.forEach((node, i) => { positions[node] = { x: left + local[i].x, y: top + local[i].y }; });
    left += side + unit * 0.5;
    rowHeight = Math.max(rowHeight, side);
  }
  return positions;
}

/** Connected parts as lists of node indexes, largest first (ties: the server's order). */
function components(count, edges) {
  const neighbours = Array.from({ length: count }, () => []);
  for (const [a, b] of edges) {
    neighbours[a].push(b);
    neighbours[b].push(a);
  }
  const seen = new Uint8Array(count);
  const parts = [];
  for (let start = 0; start < count; start += 1) {
    if (seen[start]) continue;
    const part = [start];
    seen[start] = 1;
    for (let i = 0; i < part.length; i += 1) {
      for (const next of neighbours[part[i]]) {
        if (!seen[next]) {
          seen[next] = 1;
          part.push(next);
        }
      }
    }
    parts.push(part.sort((p, q) => p - q));
  }
  return parts.sort((p, q) => q.length - p.length || p[0] - q[0]);
}

/** Fruchterman–Reingold on one connected part, scaled into a side × side square. */
function layoutPart(part, allEdges, heaviest, side) {
  const count = part.length;
  if (count === 1) return [{ x: side / 2, y: side / 2 }];
  const local = new Map(part.map((node, i) => [node, i]));
  const edges = allEdges.filter(([a]) => local.has(a)).map(([a, b, w]) => [local.get(a), local.get(b), w]);
  const spacing = 0.75 * side / Math.sqrt(count); // the ideal edge length
  const x = new Float64Array(count);
  const y = new Float64Array(count);
  for (let i = 0; i < count; i += 1) {
    const radius = 0.5 * spacing * Math.sqrt(i + 0.5);
    x[i] = radius * Math.cos(i * GOLDEN_ANGLE);
    y[i] = radius * Math.sin(i * GOLDEN_ANGLE);
  }
  const steps = count > 300 ? 150 : 300;
  let temperature = side / 8;
  const cooling = temperature / (steps + 1);
  const moveX = new Float64Array(count);
  const moveY = new Float64Array(count);
  const squared = spacing * spacing;
  for (let step = 0; step < steps; step += 1) {
    moveX.fill(0);
    moveY.fill(0);
    for (let i = 0; i < count; i += 1) {
      for (let j = i + 1; j < count; j += 1) {
        let dx = x[i] - x[j];
        let dy = y[i] - y[j];
        let distance2 = dx * dx + dy * dy;
        if (distance2 < 1e-4) { // two nodes on one spot: push them apart the same way every time
          dx = 0.01 * (j - i);
          dy = 0.01;
          distance2 = dx * dx + dy * dy;
        }
        const push = squared / distance2; // k²/d along the unit vector (dx/d)
        moveX[i] += dx * push; moveY[i] += dy * push;
        moveX[j] -= dx * push; moveY[j] -= dy * push;
      }
    }
    for (const [a, b, weight] of edges) {
      const dx = x[a] - x[b];
      const dy = y[a] - y[b];
      const distance = Math.sqrt(dx * dx + dy * dy) || 0.01;
      const pull = (distance / spacing) * (0.5 + (0.5 * weight) / heaviest); // d²/k; heavier edges pull harder
      moveX[a] -= dx * pull; moveY[a] -= dy * pull;
      moveX[b] += dx * pull; moveY[b] += dy * pull;
    }
    for (let i = 0; i < count; i += 1) {
      const length = Math.sqrt(moveX[i] * moveX[i] + moveY[i] * moveY[i]);
      if (length > 0) {
        const move = Math.min(length, temperature) / length;
        x[i] += moveX[i] * move;
        y[i] += moveY[i] * move;
      }
    }
    temperature = Math.max(temperature - cooling, side / 1000);
  }
  // Into the square, keeping the proportions.
  const [minX, maxX, minY, maxY] = [Math.min(...x), Math.max(...x), Math.min(...y), Math.max(...y)];
  const scale = side / Math.max(maxX - minX, maxY - minY, 1e-9);
  const offsetX = (side - (maxX - minX) * scale) / 2;
  const offsetY = (side - (maxY - minY) * scale) / 2;
  return Array.from(x, (value, i) => ({ x: offsetX + (value - minX) * scale, y: offsetY + (y[i] - minY) * scale }));
}
