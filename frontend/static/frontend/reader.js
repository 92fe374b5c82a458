// The article reader, wired together: the text (textview.js), what is selected (selection.js),
// the keys (keys.js), the claims list (claimlist.js) and the panel of the open claim (claim.js).
// This module only starts them and carries actions between them.

import { api, busy, el, newKey, say, setFieldLabels } from "./api.js";
import { ClaimPanel } from "./claim.js";
import { ClaimList } from "./claimlist.js";
import { keepFocus } from "./focus.js";
import { installKeys } from "./keys.js";
import { articleAssign, legendRatings } from "./header.js";
import { articleMatches, sentenceMatchesBox } from "./memory.js";
import { Selection } from "./selection.js";
import { gettext, interpolate } from "./i18n.js";
import { CHECKWORTHY, TextView } from "./textview.js";

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
const createButton = $("create-claim");
const moveButton = $("move-claim");
const helpDialog = $("help-dialog");
const memoryBox = $("panel-memory");

const view = new TextView(textBox);
let matches = new Map(); // sentence id -> earlier fact-checks it repeats (claim memory)

/** With no claim open, the panel lists the earlier fact-checks of the current sentence. */
function showSentenceMatches() {
  const sentence = view.sentences[selection.cursor];
  const found = sentence && matches.get(sentence.id);
  memoryBox.replaceChildren(...(found ? [sentenceMatchesBox(found)] : []));
}

const selection = new Selection(
  view,
  { text: $("selection-text"), create: createButton, move: moveButton, warning: $("selection-warning") },
  showSentenceMatches,
);

async function loadMatches() {
  try {
    ({ bySentence: matches } = await articleMatches(articleId));
  } catch {
    return; // suggestions are optional: the reader works without them
  }
  view.sentences.forEach((sentence, i) => {
    const found = matches.get(sentence.id);
    if (!found) return;
    view.sentenceEls[i].classList.add("checked-before");
    view.sentenceEls[i].dataset.checkedBefore = String(found.length);
  });
  showSentenceMatches();
}

/** `n`: the next unmarked check-worthy sentence, going down the ranking from the cursor's. */
function nextCheckworthy() {
  const { sentences } = view;
  const ranked = sentences
    .map((_, i) => i)
    .filter((i) => sentences[i].checkworthiness >= CHECKWORTHY && !view.bySentence[i].length)
    .sort((a, b) => sentences[b].checkworthiness - sentences[a].checkworthiness || a - b);
  if (!ranked.length) {
    say(errorBox, gettext("No unmarked sentence is left that scores as check-worthy."), { kind: "info" });
    return;
  }
  say(errorBox, "");
  const here = sentences[selection.cursor];
  const below = (i) => {
    const score = sentences[i].checkworthiness;
    return score < here.checkworthiness || (score === here.checkworthiness && i > selection.cursor);
  };
  // From an unscored sentence, or past the last one, start again at the top.
  let next = ranked[0];
  if (here && here.checkworthiness != null) next = ranked.find(below) ?? ranked[0];
  selection.textSelection = null;
  selection.setCursor(next);
  view.sentenceEls[next].scrollIntoView({ block: "center" });
}

// --- Claims ------------------------------------------------------------------------------------

let claimKey = newKey(); // one Idempotency-Key per claim the reviewer means to mark

async function createClaim() {
  const target = selection.target();
  if (!target) {
    say(errorBox, gettext("Select some text, or move to a sentence with j / k, before marking a claim."));
    return;
  }
  await busy([createButton], async () => {
    performance.mark("claim-create-start");
    say(errorBox, "");
    let data;
    try {
      ({ data } = await api("claims/", { method: "POST", json: { article: articleId, ...target.payload }, key: claimKey }));
    } catch (error) {
      if (error.status) claimKey = newKey();
      say(errorBox, interpolate(gettext("The claim could not be marked. %(error)s"), { error: error.message }, true));
      return;
    }
    claimKey = newKey();
    view.upsertClaim(data);
    performance.mark("claim-highlighted");
    selection.textSelection = null;
    window.getSelection()?.removeAllRanges();
    textBox.dataset.lastCreated = String(data.id);
    await panel.open(data.id, { focus: true });
  });
  selection.describe();
}

async function moveClaim() {
  const target = selection.target();
  if (!target || !selection.movable) return;
  await busy([moveButton, createButton], async () => {
    say(errorBox, "");
    try {
      await panel.respan(target.payload);
      selection.textSelection = null;
      window.getSelection()?.removeAllRanges();
    } catch (error) {
      say(errorBox, interpolate(gettext("The claim was not moved. %(error)s"), { error: error.message }, true));
    }
  });
  selection.describe();
}

const list = new ClaimList({
  view,
  list: $("claims-list"),
  filter: $("claims-filter"),
  count: $("claims-count"),
  onOpen: (id) => {
    view.reveal(id);
    panel.open(id, { focus: true });
  },
});
view.onClaimsChanged = () => {
  list.render();
  renderOrphans();
};

/** Claims whose text a newer revision removed: listed above the text, opened in the panel. */
function renderOrphans() {
  const orphans = view.orphans();
  $("orphaned-claims").hidden = !orphans.length;
  $("orphaned-list").replaceChildren(
    ...orphans.map((claim) =>
      el(
        "li",
        {},
        el(
          "button",
          { type: "button", class: "link-button", "data-claim": String(claim.id), onclick: () => panel.open(claim.id, { focus: true }) },
          `“${claim.quote.exact.length > 90 ? `${claim.quote.exact.slice(0, 89)}…` : claim.quote.exact}”`,
        ),
      ),
    ),
  );
}

const panel = new ClaimPanel({
  me,
  sentencesAround: (start, end) => view.sentencesAround(start, end),
  currentSpan: () => selection.target()?.payload ?? null,
  onClaimChanged: (claim) => view.upsertClaim(claim),
  onClaimRemoved: (id) => view.removeClaim(id),
  onActive: (id) => {
    view.setActiveClaim(id);
    list.render();
    history.replaceState(null, "", id == null ? location.pathname : `#claim-${id}`);
  },
  onMovable: (claim) => {
    selection.movable = claim;
    selection.describe();
  },
});

keepFocus($("claim-panel"), () => $("panel-title"));

// --- Events ------------------------------------------------------------------------------------

// Restyling the sentences while the mouse button is down cancels Chromium's drag selection, so
// the cursor follows a mouse click on "click", not on the focus the mousedown gives.
let mouseDown = false;
textBox.addEventListener("mousedown", () => {
  mouseDown = true;
});

textBox.addEventListener("mouseup", () => {
  mouseDown = false;
  setTimeout(() => {
    // Let the browser finish the selection first.
    const offsets = selection.fromBrowser();
    if (offsets) selection.setText(offsets);
  });
});

textBox.addEventListener("click", (event) => {
  const browserSelection = window.getSelection();
  if (browserSelection && !browserSelection.isCollapsed) return; // a drag, handled on mouseup
  selection.textSelection = null;
  const span = event.target.closest(".sentence");
  if (span) selection.setCursor(Number(span.dataset.index), { focus: false });
  const mark = event.target.closest("mark[data-claim]");
  if (mark) panel.open(Number(mark.dataset.claim));
});

textBox.addEventListener("focusin", (event) => {
  if (mouseDown) return;
  const span = event.target.closest(".sentence");
  if (span && Number(span.dataset.index) !== selection.cursor) {
    selection.textSelection = null;
    selection.setCursor(Number(span.dataset.index), { focus: false });
  }
});

createButton.addEventListener("click", createClaim);
moveButton.addEventListener("click", moveClaim);
$("help-button").addEventListener("click", () => helpDialog.showModal());

function claimAtCursor() {
  const claims = view.bySentence[selection.cursor] || [];
  if (!claims.length) return null;
  return [...claims].sort((a, b) => a.end - a.start - (b.end - b.start))[0];
}

/** Esc: from the open claim's panel back to its sentence in the text, closing the claim; elsewhere
 * it clears the selection. */
function escapeKey() {
  if (!panel.claim || !$("claim-panel").contains(document.activeElement)) {
    selection.clear();
    return;
  }
  const claim = view.claims.get(panel.claim.id);
  const placed = claim && claim.anchor_status !== "orphaned";
  const first = placed ? view.sentencesOverlapping(claim.start, claim.end)[0] : undefined;
  panel.close();
  selection.textSelection = null;
  selection.setCursor(first ?? Math.max(selection.cursor, 0));
}

function step(delta, extend) {
  selection.textSelection = null;
  selection.setCursor(selection.cursor < 0 ? 0 : selection.cursor + delta, { extend });
}

installKeys(
  {
    down: (extend) => step(1, extend),
    up: (extend) => step(-1, extend),
    create: () => createClaim(),
    next: nextCheckworthy,
    help: () => helpDialog.showModal(),
    escape: escapeKey,
    enter: () => {
      const claim = claimAtCursor();
      if (!claim) {
        say(errorBox, gettext("There is no claim on this sentence yet: press c to mark one."), { kind: "info" });
        return false;
      }
      panel.open(claim.id, { focus: true });
      return true;
    },
    rating: (n) => panel.pickRating(n),
  },
  () => helpDialog.open,
);

// --- Start -------------------------------------------------------------------------------------

/** #claim-12 in the address (links from My work, or pasted) opens that claim. */
async function openFromHash() {
  const wanted = location.hash.match(/^#claim-(\d+)$/);
  if (!wanted || Number(wanted[1]) === view.activeClaim) return;
  view.reveal(Number(wanted[1]));
  await panel.open(Number(wanted[1]));
}

async function start() {
  try {
    const [{ data: article }, scales, options] = await Promise.all([
      api(`articles/${articleId}/`),
      api("rating-scales/").catch((error) => ({ error })),
      api("review-options/").catch((error) => ({ error })),
    ]);
    view.render(article);
    const problems = [];
    if (scales.error) {
      problems.push(
        interpolate(
          gettext("The rating scale could not be loaded (%(error)s); verdicts cannot be given until you reload."),
          { error: scales.error.message },
          true,
        ),
      );
    } else {
      // rating-scales/ is a plain list, the default scale first.
      const scale = scales.data.find((s) => s.is_default) || scales.data[0];
      panel.setScale(scale);
      legendRatings($("legend-ratings"), scale);
    }
    if (options.error) {
      problems.push(interpolate(gettext("The form choices could not be loaded (%(error)s); reload the page."), { error: options.error.message }, true));
    } else {
      panel.setOptions(options.data);
      setFieldLabels(options.data.field_labels);
      articleAssign($("article-assign"), article, options.data.assignees);
      list.setStates(options.data.claim_statuses);
      list.render();
    }
    if (problems.length) say(errorBox, problems.join(" "));
    selection.describe();
    loadMatches();
    main.dataset.ready = "true";
    performance.mark("reader-ready"); // bench/ui_bench.py reads these marks
    window.addEventListener("hashchange", openFromHash);
    await openFromHash();
  } catch (error) {
    textBox.dataset.state = "error";
    textBox.replaceChildren(el("p", { class: "muted" }, gettext("The article could not be shown.")));
    say(errorBox, interpolate(gettext("The article could not be loaded. %(error)s"), { error: error.message }, true));
  }
}

start();
