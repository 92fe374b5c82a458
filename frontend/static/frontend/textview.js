// The article text: sentences in paragraphs, and claims highlighted over their exact spans
// (state as the background, rating as the underline). Knows offsets, not the panel or the keys.
//
// Offsets: the API's are code points; every DOM offset is converted in offsets.js, nowhere else.

import { el } from "./api.js";
import { formatNumber, gettext, interpolate, pgettext } from "./i18n.js";
import { codePointToUtf16 } from "./offsets.js";
import { claimState } from "./words.js";

// annotations.triage.CHECKWORTHY_THRESHOLD: at or above it a sentence counts as check-worthy.
export const CHECKWORTHY = 0.5;

// annotations.models.ClaimType: the kind of claim a sentence makes, in words.
const CLAIM_TYPES = {
  quantity: pgettext("claim type", "quantity"),
  comparison_or_change: pgettext("claim type", "comparison or change"),
  attribution: pgettext("claim type", "attribution of a fact"),
  prediction: pgettext("claim type", "prediction"),
  personal_experience: pgettext("claim type", "personal experience"),
  other: pgettext("claim type", "other"),
};

/** The rating a claim shows: the published verdict's, else the latest verdict's. */
export function claimRating(claim) {
  const verdict = claim.published_verdict || claim.latest_verdict;
  return verdict ? verdict.rating : null;
}

export class TextView {
  constructor(box) {
    this.box = box;
    this.sentences = []; // ordered by position (so by offset)
    this.sentenceEls = [];
    this.claims = new Map(); // id -> claim
    this.bySentence = []; // sentence index -> claims overlapping it
    this.activeClaim = null;
    this.onClaimsChanged = () => {};
  }

  /** Index of the first sentence whose end is after `offset` (binary search). */
  sentenceAfter(offset) {
    let lo = 0;
    let hi = this.sentences.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sentences[mid].end <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  sentencesOverlapping(start, end) {
    const result = [];
    for (let i = this.sentenceAfter(start); i < this.sentences.length; i++) {
      if (this.sentences[i].start >= end) break;
      result.push(i);
    }
    return result;
  }

  /** Claims whose span is the same as, or overlaps, [start, end). */
  claimsOverlapping(start, end, { except = null } = {}) {
    return [...this.claims.values()].filter((c) => c.id !== except && c.start < end && start < c.end);
  }

  /** The text of [start, end), sentence by sentence. */
  quoteOf(start, end) {
    return this.sentencesOverlapping(start, end)
      .map((i) => {
        const s = this.sentences[i];
        const from = codePointToUtf16(s.text, Math.max(start, s.start) - s.start);
        const to = codePointToUtf16(s.text, Math.min(end, s.end) - s.start);
        return s.text.slice(from, to);
      })
      .join(" ");
  }

  indexClaims() {
    this.bySentence = this.sentences.map(() => []);
    for (const claim of this.claims.values()) {
      // An orphaned claim's span is on an older text of the article: it has no place in this one.
      if (claim.anchor_status === "orphaned") continue;
      for (const i of this.sentencesOverlapping(claim.start, claim.end)) this.bySentence[i].push(claim);
    }
  }

  /** Claims whose text a newer revision of the article removed (living articles). */
  orphans() {
    return [...this.claims.values()].filter((c) => c.anchor_status === "orphaned");
  }

  /** The whole current sentences around [start, end): a changed claim's "now". */
  sentencesAround(start, end) {
    return this.sentencesOverlapping(start, end)
      .map((i) => this.sentences[i].text)
      .join(" ");
  }

  /** The sentence's text split at claim boundaries; claimed parts wrapped in <mark>. */
  renderSentence(i) {
    const sentence = this.sentences[i];
    const span = this.sentenceEls[i];
    const claims = this.bySentence[i];
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
      const text = sentence.text.slice(codePointToUtf16(sentence.text, from), codePointToUtf16(sentence.text, to));
      const covering = local.filter((c) => c.from <= from && c.to >= to).map((c) => c.claim);
      if (!covering.length) {
        parts.push(document.createTextNode(text));
        continue;
      }
      // The narrowest claim is the one a click most likely means.
      covering.sort((a, b) => a.end - a.start - (b.end - b.start));
      parts.push(this.mark(covering, text));
    }
    span.replaceChildren(...parts);
  }

  mark(covering, text) {
    const top = covering[0];
    const rating = claimRating(top);
    const classes = ["claim", `state-${top.status}`];
    if (rating) classes.push(`rating-${rating.slug}`);
    if (covering.length > 1) classes.push("overlap");
    if (top.is_hidden) classes.push("hidden-claim");
    if (top.anchor_status === "changed") classes.push("anchor-changed");
    if (this.activeClaim === top.id) classes.push("active");
    // "Claim #3: published, False (hidden), text changed: re-review"
    let title = interpolate(gettext("Claim #%(id)s: %(state)s"), { id: top.id, state: claimState(top.status) }, true);
    if (rating) title += `, ${rating.label}`;
    if (top.is_hidden) title += ` ${gettext("(hidden)")}`;
    if (top.anchor_status === "changed") title += `, ${gettext("text changed: re-review")}`;
    return el(
      "mark",
      {
        class: classes.join(" "),
        title,
        dataset: { claim: String(top.id), claims: covering.map((c) => c.id).join(" ") },
      },
      text,
    );
  }

  /** The quiet marker: a dot before a check-worthy sentence, the score and type on hover. */
  static markCheckworthiness(span, sentence) {
    if (sentence.checkworthiness == null) return; // not scored yet
    const score = sentence.checkworthiness.toFixed(2);
    span.dataset.checkworthiness = score;
    span.classList.toggle("checkworthy", sentence.checkworthiness >= CHECKWORTHY);
    const shown = formatNumber(sentence.checkworthiness, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    span.title = sentence.claim_type
      ? interpolate(
          gettext("Check-worthiness %(score)s, %(type)s"),
          { score: shown, type: CLAIM_TYPES[sentence.claim_type] || sentence.claim_type.replaceAll("_", " ") },
          true,
        )
      : interpolate(gettext("Check-worthiness %(score)s"), { score: shown }, true);
  }

  render(article) {
    this.sentences = [...article.sentences].sort((a, b) => a.position - b.position);
    this.sentenceEls = [];
    const fragment = document.createDocumentFragment();
    let paragraph = null;
    let paragraphNo = null;
    this.sentences.forEach((sentence, i) => {
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
      TextView.markCheckworthiness(span, sentence);
      paragraph.append(span);
      this.sentenceEls.push(span);
    });
    for (const claim of article.claims) this.claims.set(claim.id, claim);
    this.indexClaims();
    for (let i = 0; i < this.sentences.length; i++) this.renderSentence(i);
    this.box.replaceChildren(fragment);
    this.box.dataset.state = "ready";
    this.onClaimsChanged();
  }

  rerender(claim, previous) {
    const touched = new Set(this.sentencesOverlapping(claim.start, claim.end));
    if (previous) for (const i of this.sentencesOverlapping(previous.start, previous.end)) touched.add(i);
    this.indexClaims();
    for (const i of touched) this.renderSentence(i);
    this.onClaimsChanged();
  }

  /** Add or update a claim in the text (called after every change). */
  upsertClaim(claim) {
    const previous = this.claims.get(claim.id);
    this.claims.set(claim.id, { ...(previous || {}), ...claim });
    this.rerender(this.claims.get(claim.id), previous);
  }

  removeClaim(id) {
    const previous = this.claims.get(id);
    if (!previous) return;
    this.claims.delete(id);
    this.rerender(previous, null);
  }

  setActiveClaim(id) {
    this.activeClaim = id;
    for (const mark of this.box.querySelectorAll("mark.active")) mark.classList.remove("active");
    if (id != null) {
      for (const mark of this.box.querySelectorAll(`mark[data-claim="${id}"]`)) mark.classList.add("active");
    }
  }

  /** Scroll the claim's first sentence into view. */
  reveal(id) {
    const claim = this.claims.get(id);
    if (!claim) return;
    const first = this.sentencesOverlapping(claim.start, claim.end)[0];
    if (first != null) this.sentenceEls[first].scrollIntoView({ block: "center" });
  }
}
