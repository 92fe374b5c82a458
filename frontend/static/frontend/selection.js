// What the reviewer has selected: a mouse range turned into code points, or a run of sentences
// picked with the keyboard cursor (j / k, shift extends). The selection bar says what it is.

import { gettext, interpolate, ngettext } from "./i18n.js";
import { codePointToUtf16, utf16ToCodePoint } from "./offsets.js";

const HINT = gettext("Select text with the mouse, or move with j / k (shift+j / shift+k extends), then press c to mark a claim.");

function shorten(text, max = 140) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export class Selection {
  /** `view`: the TextView; `bar`: {text, create, move, warning} elements; `onChange()` after each change. */
  constructor(view, bar, onChange = () => {}) {
    this.view = view;
    this.bar = bar;
    this.onChange = onChange;
    this.cursor = -1; // keyboard: the current sentence
    this.anchor = -1; // keyboard: where shift-extension started
    this.textSelection = null; // {start, end} in code points, from the mouse
    this.movable = null; // the open claim, when I may move its span
  }

  // --- Mouse ranges to code points -------------------------------------------------------------

  /** Code point offset in the body of a DOM boundary point inside a sentence, or null. */
  offsetInSentence(node, offset) {
    const host = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    const span = host?.closest(".sentence");
    if (!span || !this.view.box.contains(span)) return null;
    const sentence = this.view.sentences[Number(span.dataset.index)];
    const range = document.createRange();
    range.setStart(span, 0);
    range.setEnd(node, offset);
    const units = range.toString().length; // UTF-16 units from the sentence's start
    return sentence.start + utf16ToCodePoint(sentence.text, units);
  }

  /** For a point between sentences: the start of the next sentence, or the end of the previous. */
  snapToSentence(node, offset, { forward }) {
    const point = document.createRange();
    point.setStart(node, offset);
    const els = this.view.sentenceEls;
    let lo = 0;
    let hi = els.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (point.comparePoint(els[mid], 0) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (forward) return lo < els.length ? this.view.sentences[lo].start : null;
    return lo > 0 ? this.view.sentences[lo - 1].end : null;
  }

  isSpace(offset) {
    const sentence = this.view.sentences[this.view.sentenceAfter(offset)];
    if (!sentence || sentence.start > offset) return true; // between sentences
    const unit = codePointToUtf16(sentence.text, offset - sentence.start);
    return /\s/u.test(String.fromCodePoint(sentence.text.codePointAt(unit)));
  }

  /** The browser's selection as {start, end} code points in the body (spaces trimmed), or null. */
  fromBrowser() {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    const box = this.view.box;
    if (!range.intersectsNode(box)) return null;
    let start = box.contains(range.startContainer)
      ? this.offsetInSentence(range.startContainer, range.startOffset)
      : this.view.sentences[0]?.start;
    if (start == null) start = this.snapToSentence(range.startContainer, range.startOffset, { forward: true });
    let end = box.contains(range.endContainer)
      ? this.offsetInSentence(range.endContainer, range.endOffset)
      : this.view.sentences.at(-1)?.end;
    if (end == null) end = this.snapToSentence(range.endContainer, range.endOffset, { forward: false });
    if (start == null || end == null) return null;
    while (start < end && this.isSpace(start)) start++;
    while (end > start && this.isSpace(end - 1)) end--;
    return start < end ? { start, end } : null;
  }

  // --- The keyboard cursor ---------------------------------------------------------------------

  sentenceRange() {
    if (this.cursor < 0) return null;
    const anchor = this.anchor < 0 ? this.cursor : this.anchor;
    return [Math.min(anchor, this.cursor), Math.max(anchor, this.cursor)];
  }

  setCursor(index, { extend = false, focus = true } = {}) {
    const els = this.view.sentenceEls;
    if (!els.length) return;
    this.cursor = Math.max(0, Math.min(els.length - 1, index));
    if (!extend) this.anchor = this.cursor;
    const span = els[this.cursor];
    for (const s of els) if (s !== span && s.tabIndex === 0) s.tabIndex = -1;
    span.tabIndex = 0;
    if (focus && document.activeElement !== span) {
      span.focus({ preventScroll: true });
      span.scrollIntoView({ block: "nearest" });
    }
    this.paint();
  }

  setText(offsets) {
    this.textSelection = offsets;
    this.paint();
  }

  clear() {
    this.textSelection = null;
    window.getSelection()?.removeAllRanges();
    this.anchor = this.cursor;
    this.paint();
  }

  /** What a new claim (or a moved one) would span: {start, end} or {sentences}, with its text. */
  target() {
    if (this.textSelection) {
      const { start, end } = this.textSelection;
      return { payload: { ...this.textSelection }, start, end };
    }
    const range = this.sentenceRange();
    if (!range) return null;
    const ids = [];
    for (let i = range[0]; i <= range[1]; i++) ids.push(this.view.sentences[i].id);
    const start = this.view.sentences[range[0]].start;
    const end = this.view.sentences[range[1]].end;
    return { payload: { sentences: ids }, start, end, range };
  }

  paint() {
    for (const span of this.view.box.querySelectorAll(".sentence.in-range")) span.classList.remove("in-range");
    for (const span of this.view.box.querySelectorAll('.sentence[aria-current="true"]')) span.removeAttribute("aria-current");
    const range = this.textSelection ? null : this.sentenceRange();
    if (range) {
      for (let i = range[0]; i <= range[1]; i++) this.view.sentenceEls[i].classList.add("in-range");
    }
    if (this.cursor >= 0) this.view.sentenceEls[this.cursor].setAttribute("aria-current", "true");
    this.describe();
    this.onChange();
  }

  /** The selection bar: what is selected, and a warning when it repeats an existing claim. */
  describe() {
    const target = this.target();
    const { text, create, move, warning } = this.bar;
    if (!target) {
      text.textContent = HINT;
      create.disabled = true;
      move.hidden = true;
      warning.hidden = true;
      return;
    }
    const quote = shorten(this.view.quoteOf(target.start, target.end));
    if (target.range) {
      const [lo, hi] = target.range;
      text.textContent =
        lo === hi
          ? interpolate(gettext("Sentence %(number)s: “%(quote)s”"), { number: lo + 1, quote }, true)
          : interpolate(gettext("Sentences %(first)s–%(last)s: “%(quote)s”"), { first: lo + 1, last: hi + 1, quote }, true);
    } else {
      text.textContent = interpolate(gettext("Selected: “%(quote)s”"), { quote }, true);
    }
    create.disabled = false;
    move.hidden = !this.movable;
    move.disabled = !this.movable;
    if (this.movable) move.textContent = interpolate(gettext("Move claim #%(id)s here"), { id: this.movable.id }, true);
    const repeats = this.view.claimsOverlapping(target.start, target.end, { except: this.movable?.id });
    warning.hidden = !repeats.length;
    if (repeats.length) {
      const same = repeats.filter((c) => c.start === target.start && c.end === target.end);
      const names = repeats.map((c) => `#${c.id}`).join(", ");
      warning.textContent = same.length
        ? interpolate(
            ngettext("Claim %(ids)s already marks exactly this text.", "Claims %(ids)s already mark exactly this text.", same.length),
            { ids: same.map((c) => `#${c.id}`).join(", ") },
            true,
          )
        : interpolate(
            ngettext(
              "This overlaps claim %(ids)s: check it is not the same claim before marking a new one.",
              "This overlaps claims %(ids)s: check none is the same claim before marking a new one.",
              repeats.length,
            ),
            { ids: names },
            true,
          );
    }
  }
}
