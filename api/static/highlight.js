// Marks in a measure's text: instruments and targets by their evidence spans, agencies by the
// forms the document prints them in (the graph keeps no span for an agency mention).
//
// The API's offsets count Unicode code points (they are Python string offsets into the decoded
// source); JavaScript strings count UTF-16 units, which differ for characters outside the Basic
// Multilingual Plane (rare CJK extension characters). So everything here works on arrays of
// code points.

/**
 * Where each annotation lies in `text`, whose first character is at source offset `base`.
 * annotations: [{kind, start, end, exact, note}] with source offsets; or {kind, find, note}
 * for a string to find everywhere in the text. Spans that do not fit the text are dropped (an
 * evidence span whose text differs is looked up by its `exact` text instead).
 */
export function locate(text, base, annotations) {
  const chars = Array.from(text);
  const found = [];
  for (const note of annotations) {
    if (note.find) {
      for (const start of occurrences(chars, Array.from(note.find))) {
        found.push({ kind: note.kind, note: note.note, start, end: start + Array.from(note.find).length });
      }
      continue;
    }
    let start = note.start - base;
    let end = note.end - base;
    const fits = Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end > start && end <= chars.length;
    if (!fits || (note.exact && chars.slice(start, end).join("") !== note.exact)) {
      const at = note.exact ? occurrences(chars, Array.from(note.exact))[0] : undefined;
      if (at === undefined) continue;
      start = at;
      end = at + Array.from(note.exact).length;
    }
    found.push({ kind: note.kind, note: note.note, start, end });
  }
  return found;
}

function occurrences(chars, needle) {
  const out = [];
  if (!needle.length) return out;
  outer: for (let i = 0; i + needle.length <= chars.length; i += 1) {
    for (let j = 0; j < needle.length; j += 1) if (chars[i + j] !== needle[j]) continue outer;
    out.push(i);
  }
  return out;
}

/**
 * The text cut at every span boundary: [{text, kinds: Set, notes: [..]}] in order. Spans may
 * overlap (an instrument's evidence is a whole clause that holds a target and agencies), so a
 * piece carries every kind that covers it.
 */
export function segments(text, spans) {
  const chars = Array.from(text);
  const cuts = new Set([0, chars.length]);
  for (const span of spans) {
    cuts.add(span.start);
    cuts.add(span.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const pieces = [];
  for (let i = 0; i + 1 < points.length; i += 1) {
    const [from, to] = [points[i], points[i + 1]];
    const covering = spans.filter((span) => span.start <= from && span.end >= to);
    pieces.push({
      text: chars.slice(from, to).join(""),
      kinds: new Set(covering.map((span) => span.kind)),
      notes: [...new Set(covering.map((span) => span.note))],
    });
  }
  return pieces;
}
