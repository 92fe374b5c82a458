// The one place where offsets change units.
//
// The API speaks Unicode code points (Python string indices, the W3C TextPositionSelector);
// the DOM speaks UTF-16 code units. An emoji or any other astral character is one code point
// but two UTF-16 units, so every conversion between the two goes through these functions.

/** UTF-16 index in `text` of code point `cp` (clamped to the text's length). */
export function codePointToUtf16(text, cp) {
  let units = 0;
  let points = 0;
  while (points < cp && units < text.length) {
    const code = text.charCodeAt(units);
    units += code >= 0xd800 && code <= 0xdbff && units + 1 < text.length ? 2 : 1;
    points += 1;
  }
  return units;
}

/** Code point index in `text` of UTF-16 index `units` (inside a surrogate pair: the pair's start). */
export function utf16ToCodePoint(text, units) {
  let u = 0;
  let points = 0;
  while (u < units && u < text.length) {
    const code = text.charCodeAt(u);
    const width = code >= 0xd800 && code <= 0xdbff && u + 1 < text.length ? 2 : 1;
    if (u + width > units) break;
    u += width;
    points += 1;
  }
  return points;
}

/** Length of `text` in code points. */
export function codePointLength(text) {
  return utf16ToCodePoint(text, text.length);
}
