// The article reader: the text sentence by sentence, claims highlighted over their exact spans,
// a claim made from a mouse selection or from sentences picked with the keyboard, and the side
// panel (claim.js) for the selected claim.
//
// Offsets: the API's are code points; every DOM offset is converted in offsets.js, nowhere else.

import { api, el, items, say } from "./api.js";
import { ClaimPanel } from "./claim.js";
import { articleMatches, sentenceMatchesBox } from "./memory.js";
import { codePointToUtf16, utf16ToCodePoint } from "./offsets.js";

const $ = (id) => document.getElementById(id);
const main = $("main");
const articleId = Number(main.dataset.articleId);
const me = {
  id: Number(main.dataset.userId),
  username: main.dataset.username,
  roles: new Set((main.dataset.roles || "").split(" ").filter(Boolean)),
};
const textBox = $("article-text");
const errorBox = $("reader-error");
const selectionText = $("selection-text");
const createButton = $("create-claim");
const helpDialog = $("help-dialog");

const state = {
  sentences: [], // ordered by position (so by offset)
  sentenceEls: [],
  claims: new Map(), // id -> claim
  bySentence: [], // sentence index -> claims overlapping it
  cursor: -1, // keyboard: the current sentence
  anchor: -1, // keyboard: where shift-extension started
  textSelection: null, // {start, end} in code points, from the mouse
  activeClaim: null,
  matches: new Map(), // sentence id -> earlier fact-checks it repeats (claim memory)
};

// --- Finding sentences by offset ---------------------------------------------------------------

/** Index of the first sentence whose end is after `offset` (binary search). */
function sentenceAfter(offset) {
  let lo = 0;
  let hi = state.sentences.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (state.sentences[mid].end <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sentencesOverlapping(start, end) {
  const result = [];
  for (let i = sentenceAfter(start); i < state.sentences.length; i++) {
    if (state.sentences[i].start >= end) break;
    result.push(i);
  }
  return result;
}

function indexClaims() {
  state.bySentence = state.sentences.map(() => []);
  for (const claim of state.claims.values()) {
    // An orphaned claim's span is on an older text of the article: it has no place in this one.
    if (claim.anchor_status === "orphaned") continue;
    for (const i of sentencesOverlapping(claim.start, claim.end)) state.bySentence[i].push(claim);
  }
  renderOrphans();
}

/** Claims whose text a newer revision removed: listed above the text, opened in the panel. */
function renderOrphans() {
  const box = $("orphaned-claims");
  const orphans = [...state.claims.values()].filter((c) => c.anchor_status === "orphaned");
  box.hidden = !orphans.length;
  $("orphaned-list").replaceChildren(
    ...orphans.map((claim) =>
      el(
        "li",
        {},
        el("button", { type: "button", class: "link-button", "data-claim": String(claim.id), onclick: () => panel.open(claim.id, { focus: true }) }, `“${shorten(claim.quote.exact, 90)}”`),
      ),
    ),
  );
}

/** The text of the current sentences overlapping [start, end): the panel's "after". */
function sentenceTextAround(start, end) {
  return sentencesOverlapping(start, end)
    .map((i) => state.sentences[i].text)
    .join(" ");
}

// --- Rendering ---------------------------------------------------------------------------------

function ratingSlug(claim) {
  const rating =
    claim.rating ??
    (claim.published_verdict && claim.published_verdict.rating) ??
    (claim.latest_verdict && claim.latest_verdict.rating);
  if (!rating) return "";
  return typeof rating === "string" ? rating : rating.slug || "";
}

/** The sentence's text split at claim boundaries; claimed parts wrapped in <mark>. */
function renderSentence(i) {
  const sentence = state.sentences[i];
  const span = state.sentenceEls[i];
  const claims = state.bySentence[i];
  if (!claims.length) {
    span.textContent = sentence.text;
    return;
  }
  const length = sentence.end - sentence.start; // code points, as the API counts
  const bounds = new Set([0, length]);
  const local = claims.map((claim) => ({
    claim,
    from: Math.max(claim.start, sentence.start) - sentence.start,
    to: Math.min(claim.end, sentence.end) - sentence.start,
  }));
  for (const { from, to } of local) bounds.add(from).add(to);
  const points = [...bounds].sort((a, b) => a - b);
  const parts = [];
  for (let k = 0; k + 1 < points.length; k++) {
    const [from, to] = [points[k], points[k + 1]];
    const text = sentence.text.slice(
      codePointToUtf16(sentence.text, from),
      codePointToUtf16(sentence.text, to),
    );
    const covering = local.filter((c) => c.from <= from && c.to >= to).map((c) => c.claim);
    if (!covering.length) {
      parts.push(document.createTextNode(text));
      continue;
    }
    // The narrowest claim is the one a click most likely means.
    covering.sort((a, b) => a.end - a.start - (b.end - b.start));
    const top = covering[0];
    const slug = ratingSlug(top);
    const mark = el(
      "mark",
      {
        class: `claim state-${top.status}${slug ? ` rating-${slug}` : ""}${covering.length > 1 ? " overlap" : ""}${state.activeClaim === top.id ? " active" : ""}${top.anchor_status === "changed" ? " anchor-changed" : ""}`,
        title: `Claim #${top.id}: ${top.status}${slug ? `, ${slug}` : ""}${top.anchor_status === "changed" ? ", text changed: re-review" : ""}`,
        dataset: { claim: String(top.id), claims: covering.map((c) => c.id).join(" ") },
      },
      text,
    );
    parts.push(mark);
  }
  span.replaceChildren(...parts);
}

// annotations.triage.CHECKWORTHY_THRESHOLD: at or above it a sentence counts as check-worthy.
const CHECKWORTHY = 0.5;

/** The quiet marker: a dot before a check-worthy sentence, the score and type on hover. */
function markCheckworthiness(span, sentence) {
  if (sentence.checkworthiness == null) return; // not scored yet
  const score = sentence.checkworthiness.toFixed(2);
  span.dataset.checkworthiness = score;
  span.classList.toggle("checkworthy", sentence.checkworthiness >= CHECKWORTHY);
  const type = sentence.claim_type ? `, ${sentence.claim_type.replaceAll("_", " ")}` : "";
  span.title = `Check-worthiness ${score}${type}`;
}

function renderArticle(article) {
  state.sentences = [...article.sentences].sort((a, b) => a.position - b.position);
  state.sentenceEls = [];
  const fragment = document.createDocumentFragment();
  let paragraph = null;
  let paragraphNo = null;
  state.sentences.forEach((sentence, i) => {
    if (sentence.paragraph !== paragraphNo || paragraph === null) {
      paragraph = el("p", { class: "paragraph" });
      fragment.append(paragraph);
      paragraphNo = sentence.paragraph;
    } else {
      paragraph.append(" ");
    }
    const span = document.createElement("span");
    span.className = "sentence";
    span.id = `s-${sentence.id}`;
    span.dataset.index = String(i);
    span.tabIndex = i === 0 ? 0 : -1; // roving tabindex: Tab enters the text once
    markCheckworthiness(span, sentence);
    paragraph.append(span);
    state.sentenceEls.push(span);
  });
  for (const claim of article.claims || []) state.claims.set(claim.id, claim);
  indexClaims();
  state.sentences.forEach((_, i) => renderSentence(i));
  textBox.replaceChildren(fragment);
  textBox.dataset.state = "ready";
}

function rerenderClaim(claim, previous) {
  const touched = new Set(sentencesOverlapping(claim.start, claim.end));
  if (previous) for (const i of sentencesOverlapping(previous.start, previous.end)) touched.add(i);
  indexClaims();
  for (const i of touched) renderSentence(i);
}

/** Add or update a claim in the text (called by the panel after every change). */
function upsertClaim(claim) {
  const previous = state.claims.get(claim.id);
  state.claims.set(claim.id, { ...(previous || {}), ...claim });
  rerenderClaim(state.claims.get(claim.id), previous);
}

function removeClaim(id) {
  const previous = state.claims.get(id);
  if (!previous) return;
  state.claims.delete(id);
  rerenderClaim(previous, null);
}

function setActiveClaim(id) {
  state.activeClaim = id;
  for (const mark of textBox.querySelectorAll("mark.active")) mark.classList.remove("active");
  if (id != null) {
    for (const mark of textBox.querySelectorAll(`mark[data-claim="${id}"]`)) mark.classList.add("active");
  }
}

// --- Selection: mouse ranges to code points ----------------------------------------------------

/** Code point offset in the body of a DOM boundary point inside a sentence, or null. */
function offsetInSentence(node, offset) {
  const host = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  const span = host && host.closest(".sentence");
  if (!span || !textBox.contains(span)) return null;
  const sentence = state.sentences[Number(span.dataset.index)];
  const range = document.createRange();
  range.setStart(span, 0);
  range.setEnd(node, offset);
  const units = range.toString().length; // UTF-16 units from the sentence's start
  return sentence.start + utf16ToCodePoint(sentence.text, units);
}

/** For a point between sentences: the start of the next sentence, or the end of the previous. */
function snapToSentence(node, offset, { forward }) {
  const point = document.createRange();
  point.setStart(node, offset);
  const els = state.sentenceEls;
  // First sentence that begins after the point.
  let lo = 0;
  let hi = els.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (point.comparePoint(els[mid], 0) < 0) lo = mid + 1;
    else hi = mid;
  }
  if (forward) return lo < els.length ? state.sentences[lo].start : null;
  return lo > 0 ? state.sentences[lo - 1].end : null;
}

function isSpace(offset) {
  const i = sentenceAfter(offset);
  const sentence = state.sentences[i];
  if (!sentence || sentence.start > offset) return true; // between sentences
  const unit = codePointToUtf16(sentence.text, offset - sentence.start);
  return /\s/u.test(String.fromCodePoint(sentence.text.codePointAt(unit)));
}

/** The current mouse selection as {start, end} code points in the body, or null. */
function selectionOffsets() {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!range.intersectsNode(textBox)) return null;
  let start = textBox.contains(range.startContainer)
    ? offsetInSentence(range.startContainer, range.startOffset)
    : state.sentences[0]?.start;
  if (start == null) start = snapToSentence(range.startContainer, range.startOffset, { forward: true });
  let end = textBox.contains(range.endContainer)
    ? offsetInSentence(range.endContainer, range.endOffset)
    : state.sentences.at(-1)?.end;
  if (end == null) end = snapToSentence(range.endContainer, range.endOffset, { forward: false });
  if (start == null || end == null) return null;
  while (start < end && isSpace(start)) start++;
  while (end > start && isSpace(end - 1)) end--;
  return start < end ? { start, end } : null;
}

function quoteOf(start, end) {
  return sentencesOverlapping(start, end)
    .map((i) => {
      const s = state.sentences[i];
      const from = codePointToUtf16(s.text, Math.max(start, s.start) - s.start);
      const to = codePointToUtf16(s.text, Math.min(end, s.end) - s.start);
      return s.text.slice(from, to);
    })
    .join(" ");
}

function shorten(text, max = 140) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function describeSelection() {
  const range = sentenceRange();
  if (state.textSelection) {
    const { start, end } = state.textSelection;
    selectionText.textContent = `Selected: “${shorten(quoteOf(start, end))}”`;
    createButton.disabled = false;
  } else if (range) {
    const [lo, hi] = range;
    const which = lo === hi ? `Sentence ${lo + 1}` : `Sentences ${lo + 1}–${hi + 1}`;
    selectionText.textContent = `${which}: “${shorten(quoteOf(state.sentences[lo].start, state.sentences[hi].end))}”`;
    createButton.disabled = false;
  } else {
    selectionText.textContent =
      "Select text with the mouse, or move with j / k (shift+j / shift+k extends), then press c to mark a claim.";
    createButton.disabled = true;
  }
}

// --- Keyboard: a cursor over sentences ---------------------------------------------------------

function sentenceRange() {
  if (state.cursor < 0) return null;
  const anchor = state.anchor < 0 ? state.cursor : state.anchor;
  return [Math.min(anchor, state.cursor), Math.max(anchor, state.cursor)];
}

function paintRange() {
  for (const span of textBox.querySelectorAll(".sentence.in-range")) {
    span.classList.remove("in-range");
    span.removeAttribute("aria-current");
  }
  const range = state.textSelection ? null : sentenceRange();
  if (range) {
    for (let i = range[0]; i <= range[1]; i++) state.sentenceEls[i].classList.add("in-range");
  }
  if (state.cursor >= 0) state.sentenceEls[state.cursor].setAttribute("aria-current", "true");
  describeSelection();
  showSentenceMatches();
}

// --- Claim memory: sentences checked before ----------------------------------------------------

const memoryBox = $("panel-memory");

async function loadMatches() {
  try {
    const { bySentence } = await articleMatches(articleId);
    state.matches = bySentence;
  } catch {
    return; // suggestions are optional: the reader works without them
  }
  state.sentences.forEach((sentence, i) => {
    const found = state.matches.get(sentence.id);
    if (!found) return;
    state.sentenceEls[i].classList.add("checked-before");
    state.sentenceEls[i].dataset.checkedBefore = String(found.length);
  });
  showSentenceMatches();
}

/** With no claim open, the panel lists the earlier fact-checks of the current sentence. */
function showSentenceMatches() {
  const sentence = state.sentences[state.cursor];
  const found = sentence && state.matches.get(sentence.id);
  memoryBox.replaceChildren(...(found ? [sentenceMatchesBox(found)] : []));
}

function setCursor(index, { extend = false, focus = true } = {}) {
  if (!state.sentences.length) return;
  const previous = state.sentenceEls[state.cursor];
  state.cursor = Math.max(0, Math.min(state.sentences.length - 1, index));
  if (!extend) state.anchor = state.cursor;
  const span = state.sentenceEls[state.cursor];
  if (previous && previous !== span) previous.tabIndex = -1;
  for (const s of state.sentenceEls) if (s !== span && s.tabIndex === 0) s.tabIndex = -1;
  span.tabIndex = 0;
  if (focus && document.activeElement !== span) {
    span.focus({ preventScroll: true });
    span.scrollIntoView({ block: "nearest" });
  }
  paintRange();
}

/** `n`: the next unmarked check-worthy sentence, going down the ranking from the cursor's. */
function nextCheckworthy() {
  const ranked = state.sentences
    .map((sentence, i) => i)
    .filter((i) => state.sentences[i].checkworthiness >= CHECKWORTHY && !state.bySentence[i].length)
    .sort((a, b) => state.sentences[b].checkworthiness - state.sentences[a].checkworthiness || a - b);
  if (!ranked.length) {
    say(errorBox, "No unmarked sentence is left that scores as check-worthy.", { kind: "info" });
    return;
  }
  say(errorBox, "");
  const here = state.sentences[state.cursor];
  const below = (i) => {
    const score = state.sentences[i].checkworthiness;
    return score < here.checkworthiness || (score === here.checkworthiness && i > state.cursor);
  };
  // From an unscored sentence, or past the last one, start again at the top.
  let next = ranked[0];
  if (here && here.checkworthiness != null) next = ranked.find(below) ?? ranked[0];
  state.textSelection = null;
  setCursor(next);
  state.sentenceEls[next].scrollIntoView({ block: "center" });
}

function clearSelection() {
  state.textSelection = null;
  window.getSelection()?.removeAllRanges();
  state.anchor = state.cursor;
  paintRange();
}

// --- Claims ------------------------------------------------------------------------------------

let creating = false;

async function createClaim() {
  if (creating) return;
  let payload;
  if (state.textSelection) {
    payload = { article: articleId, ...state.textSelection };
  } else {
    const range = sentenceRange();
    if (!range) {
      say(errorBox, "Select some text, or move to a sentence with j / k, before marking a claim.");
      return;
    }
    const ids = [];
    for (let i = range[0]; i <= range[1]; i++) ids.push(state.sentences[i].id);
    payload = { article: articleId, sentences: ids };
  }
  creating = true;
  performance.mark("claim-create-start");
  createButton.disabled = true;
  say(errorBox, "");
  let data;
  try {
    ({ data } = await api("claims/", { method: "POST", json: payload }));
  } catch (error) {
    say(errorBox, `The claim could not be marked. ${error.message}`);
    return;
  } finally {
    creating = false;
    describeSelection();
  }
  upsertClaim(data);
  performance.mark("claim-highlighted");
  state.textSelection = null;
  window.getSelection()?.removeAllRanges();
  paintRange();
  textBox.dataset.lastCreated = String(data.id);
  await panel.open(data.id, { focus: true });
}

function claimAtCursor() {
  const claims = state.bySentence[state.cursor] || [];
  if (!claims.length) return null;
  return [...claims].sort((a, b) => a.end - a.start - (b.end - b.start))[0];
}

const panel = new ClaimPanel({
  me,
  sentenceTextAround,
  currentSelection: () => state.textSelection,
  onClaimChanged: upsertClaim,
  onClaimRemoved: removeClaim,
  onActive: (id) => {
    setActiveClaim(id);
    history.replaceState(null, "", id == null ? location.pathname : `#claim-${id}`);
  },
});

// --- Events ------------------------------------------------------------------------------------

// Restyling the sentences while the mouse button is down cancels Chromium's drag selection, so
// the cursor follows a mouse click on "click", not on the focus the mousedown gives.
let mouseDown = false;
textBox.addEventListener("mousedown", () => {
  mouseDown = true;
});

textBox.addEventListener("mouseup", () => {
  mouseDown = false;
  // Let the browser finish the selection first.
  setTimeout(() => {
    const offsets = selectionOffsets();
    if (offsets) {
      state.textSelection = offsets;
      paintRange();
    }
  });
});

textBox.addEventListener("click", (event) => {
  const selection = window.getSelection();
  if (selection && !selection.isCollapsed) return; // a drag, handled on mouseup
  state.textSelection = null;
  const span = event.target.closest(".sentence");
  if (span) setCursor(Number(span.dataset.index), { focus: false });
  const mark = event.target.closest("mark[data-claim]");
  if (mark) panel.open(Number(mark.dataset.claim));
});

textBox.addEventListener("focusin", (event) => {
  if (mouseDown) return;
  const span = event.target.closest(".sentence");
  if (span && Number(span.dataset.index) !== state.cursor) {
    state.textSelection = null;
    setCursor(Number(span.dataset.index), { focus: false });
  }
});

createButton.addEventListener("click", createClaim);
$("help-button").addEventListener("click", () => helpDialog.showModal());

const TYPING = "textarea, select, [contenteditable], input:not([type=radio]):not([type=checkbox]):not([type=button]):not([type=submit])";

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (helpDialog.open) return; // the dialog handles its own keys (Esc closes it)
  if (event.target.closest && event.target.closest(TYPING)) return;
  const onSentence = event.target.closest && event.target.closest(".sentence");
  switch (event.key) {
    case "j":
    case "J":
      state.textSelection = null;
      setCursor(state.cursor < 0 ? 0 : state.cursor + 1, { extend: event.shiftKey });
      break;
    case "k":
    case "K":
      state.textSelection = null;
      setCursor(state.cursor < 0 ? 0 : state.cursor - 1, { extend: event.shiftKey });
      break;
    case "c":
      createClaim();
      break;
    case "n":
      nextCheckworthy();
      break;
    case "?":
      helpDialog.showModal();
      break;
    case "Escape":
      clearSelection();
      break;
    case "Enter": {
      if (!onSentence) return;
      const claim = claimAtCursor();
      if (!claim) {
        say(errorBox, "There is no claim on this sentence yet: press c to mark one.", { kind: "info" });
        return;
      }
      panel.open(claim.id, { focus: true });
      break;
    }
    default:
      if (/^[1-9]$/.test(event.key) && panel.pickRating(Number(event.key))) break;
      return;
  }
  event.preventDefault();
});

// --- Start -------------------------------------------------------------------------------------

/** #claim-12 in the address (links from My work, or pasted) opens that claim. */
async function openFromHash() {
  const wanted = location.hash.match(/^#claim-(\d+)$/);
  if (!wanted || Number(wanted[1]) === state.activeClaim) return;
  const claim = state.claims.get(Number(wanted[1]));
  if (claim) {
    const first = sentencesOverlapping(claim.start, claim.end)[0];
    if (first != null) state.sentenceEls[first].scrollIntoView({ block: "center" });
  }
  await panel.open(Number(wanted[1]));
}

async function start() {
  try {
    const [{ data: article }, scales] = await Promise.all([
      api(`articles/${articleId}/`),
      api("rating-scales/").catch((error) => ({ error })),
    ]);
    renderArticle(article);
    if (scales.error) {
      say(errorBox, `The rating scale could not be loaded (${scales.error.message}); verdicts cannot be given until you reload.`);
    } else {
      const all = items(scales.data);
      panel.setScale(all.find((s) => s.is_default) || all[0]);
    }
    describeSelection();
    loadMatches();
    main.dataset.ready = "true";
    performance.mark("reader-ready"); // bench/ui_bench.py reads these marks
    window.addEventListener("hashchange", openFromHash);
    await openFromHash();
  } catch (error) {
    textBox.dataset.state = "error";
    textBox.replaceChildren(el("p", { class: "muted" }, "The article could not be shown."));
    say(errorBox, `The article could not be loaded. ${error.message}`);
  }
}

start();
