// Claim memory in the reader: sentences that repeat an earlier fact-check are marked, and the
// panel says "Checked before: rated False on 3 Mar 2026 (#123)" with a link and what differs.
// Suggestions only: linking a claim to the earlier one ("same claim") is a person's decision.

import { api, el } from "./api.js";
import { formatDate, formatNumber, gettext, interpolate } from "./i18n.js";
import { claimState } from "./words.js";

function differenceWords(differences) {
  const words = [];
  if (differences.numbers) {
    words.push(
      interpolate(
        gettext("numbers differ: %(here)s here, %(there)s there"),
        { here: differences.numbers.this.join(", "), there: differences.numbers.other.join(", ") },
        true,
      ),
    );
  }
  if (differences.negation) words.push(differences.negation.this ? gettext("this one is negated") : gettext("the earlier one is negated"));
  return words.join("; ");
}

/** "Checked before: rated False on 3 Mar 2026 (#123)", or "Checked by X: rated …". */
function describe(match) {
  const who =
    match.kind === "external"
      ? interpolate(gettext("Checked by %(publisher)s"), { publisher: match.publisher || gettext("another fact-checker") }, true)
      : gettext("Checked before");
  const values = { rating: match.rating, state: claimState(match.status), date: formatDate(match.date) };
  let rated;
  if (match.rating) rated = match.date ? gettext("rated %(rating)s on %(date)s") : gettext("rated %(rating)s");
  else rated = match.date ? gettext("%(state)s, no rating yet, %(date)s") : gettext("%(state)s, no rating yet");
  const ref = match.kind === "claim" ? ` (#${match.claim})` : "";
  return `${interpolate(gettext("%(who)s: %(what)s"), { who, what: interpolate(rated, values, true) }, true)}${ref}`;
}

function matchItem(match, extra) {
  const differs = differenceWords(match.differences || {});
  return el(
    "li",
    { class: "match", "data-match": match.kind === "claim" ? `claim-${match.claim}` : `external-${match.external}` },
    el("a", { href: match.url, ...(match.kind === "external" ? { rel: "noopener noreferrer", target: "_blank" } : {}) }, describe(match)),
    el("p", { class: "small" }, `“${match.text}”`),
    el(
      "p",
      { class: "small muted" },
      interpolate(gettext("similarity %(score)s"), { score: formatNumber(match.score, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) }, true),
      differs ? ` · ${differs}` : match.same_claim ? ` · ${gettext("likely the same claim")}` : "",
    ),
    extra || null,
  );
}

function modelNote(data) {
  if (data.state === "pending") return gettext("Not compared with earlier fact-checks yet.");
  return data.semantic ? "" : gettext("Compared by wording only (the multilingual model is not available): translations are not found.");
}

/** Sentence id -> its matches, for the article; an empty map when nothing matched. */
export async function articleMatches(articleId) {
  const { data } = await api(`articles/${articleId}/matches/`);
  return { bySentence: new Map(data.sentences.map((entry) => [entry.sentence, entry.matches])), note: modelNote(data) };
}

/** A box listing a sentence's earlier fact-checks (for the panel when no claim is open). */
export function sentenceMatchesBox(matches) {
  return el(
    "section",
    { class: "checked-before", "aria-labelledby": "checked-before-h" },
    el("h3", { id: "checked-before-h" }, gettext("This sentence was checked before")),
    el("ul", { class: "matches" }, ...matches.map((match) => matchItem(match))),
  );
}

/**
 * The panel's "Checked before" section for a claim: its matches, each ours with a "Same claim"
 * button (or "Not the same" on the one it is linked to). `onLinked(claim)` gets the new claim.
 */
export function claimMatchesSection(claim, { canLink, onLinked }) {
  const list = el("ul", { class: "matches" }, el("li", { class: "muted" }, gettext("Looking for earlier fact-checks…")));
  const status = el("p", { class: "status", role: "status" });
  const section = el("section", { class: "checked-before", "aria-labelledby": "claim-matches-h", id: "claim-matches" },
    el("h3", { id: "claim-matches-h" }, gettext("Checked before?")), list, status);

  async function link(body, button) {
    button.disabled = true;
    try {
      const { data } = await api(`claims/${claim.id}/same-as/`, body ? { method: "POST", json: body } : { method: "DELETE" });
      onLinked(data);
    } catch (error) {
      status.textContent = error.message;
      button.disabled = false;
    }
  }

  api(`claims/${claim.id}/matches/`)
    .then(({ data }) => {
      const note = modelNote(data);
      if (!data.matches.length) {
        list.replaceChildren(el("li", { class: "muted" }, note || gettext("No earlier fact-check looks like this claim.")));
        return;
      }
      list.replaceChildren(
        ...data.matches.map((match) => {
          const linked = (match.kind === "claim" && claim.same_as === match.claim) || (match.kind === "external" && claim.same_as_external === match.external);
          let button = null;
          if (canLink) {
            button = el("button", { type: "button", class: "small" }, linked ? gettext("Not the same claim") : gettext("Same claim"));
            const body = linked ? null : match.kind === "claim" ? { claim: match.claim } : { external: match.external };
            button.addEventListener("click", () => link(body, button));
          }
          return matchItem(match, el("p", { class: "row" }, linked ? el("strong", {}, gettext("Linked: same claim")) : null, button));
        }),
      );
      if (note) status.textContent = note;
    })
    .catch((error) => list.replaceChildren(el("li", { class: "alert" }, interpolate(gettext("Earlier fact-checks could not be loaded. %(error)s"), { error: error.message }, true))));
  return section;
}
