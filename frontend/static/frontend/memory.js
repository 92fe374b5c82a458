// Claim memory in the reader: sentences that repeat an earlier fact-check are marked, and the
// panel says "Checked before: rated False on 3 Mar 2026 (#123)" with a link and what differs.
// Suggestions only: linking a claim to the earlier one ("same claim") is a person's decision.

import { api, el } from "./api.js";

function day(iso) {
  return iso ? new Date(iso).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" }) : "";
}

function differenceWords(differences) {
  const words = [];
  if (differences.numbers) {
    words.push(`numbers differ: ${differences.numbers.this.join(", ")} here, ${differences.numbers.other.join(", ")} there`);
  }
  if (differences.negation) words.push(differences.negation.this ? "this one is negated" : "the earlier one is negated");
  return words.join("; ");
}

/** "Checked before: rated False on 3 Mar 2026 (#123)", or "Also checked by X: rated …". */
function describe(match) {
  const who = match.kind === "external" ? `Checked by ${match.publisher || "another fact-checker"}` : "Checked before";
  const rated = match.rating ? `rated ${match.rating}` : `${match.status}, no rating yet`;
  const when = match.date ? ` on ${day(match.date)}` : "";
  const ref = match.kind === "claim" ? ` (#${match.claim})` : "";
  return `${who}: ${rated}${when}${ref}`;
}

function matchItem(match, extra) {
  const differs = differenceWords(match.differences || {});
  return el(
    "li",
    { class: "match", "data-match": match.kind === "claim" ? `claim-${match.claim}` : `external-${match.external}` },
    el("a", { href: match.url, ...(match.kind === "external" ? { rel: "noopener noreferrer", target: "_blank" } : {}) }, describe(match)),
    el("p", { class: "small" }, `“${match.text}”`),
    el("p", { class: "small muted" }, `similarity ${match.score.toFixed(2)}${differs ? ` · ${differs}` : match.same_claim ? " · likely the same claim" : ""}`),
    extra || null,
  );
}

function modelNote(data) {
  if (data.state === "pending") return "Not compared with earlier fact-checks yet.";
  return data.semantic ? "" : "Compared by wording only (the multilingual model is not available): translations are not found.";
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
    el("h3", { id: "checked-before-h" }, "This sentence was checked before"),
    el("ul", { class: "matches" }, ...matches.map((match) => matchItem(match))),
  );
}

/**
 * The panel's "Checked before" section for a claim: its matches, each ours with a "Same claim"
 * button (or "Not the same" on the one it is linked to). `onLinked(claim)` gets the new claim.
 */
export function claimMatchesSection(claim, { canLink, onLinked }) {
  const list = el("ul", { class: "matches" }, el("li", { class: "muted" }, "Looking for earlier fact-checks…"));
  const status = el("p", { class: "status", role: "status" });
  const section = el("section", { class: "checked-before", "aria-labelledby": "claim-matches-h", id: "claim-matches" },
    el("h3", { id: "claim-matches-h" }, "Checked before?"), list, status);

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
        list.replaceChildren(el("li", { class: "muted" }, note || "No earlier fact-check looks like this claim."));
        return;
      }
      list.replaceChildren(
        ...data.matches.map((match) => {
          const linked = (match.kind === "claim" && claim.same_as === match.claim) || (match.kind === "external" && claim.same_as_external === match.external);
          let button = null;
          if (canLink) {
            button = el("button", { type: "button", class: "small" }, linked ? "Not the same claim" : "Same claim");
            const body = linked ? null : match.kind === "claim" ? { claim: match.claim } : { external: match.external };
            button.addEventListener("click", () => link(body, button));
          }
          return matchItem(match, el("p", { class: "row" }, linked ? el("strong", {}, "Linked: same claim") : null, button));
        }),
      );
      if (note) status.textContent = note;
    })
    .catch((error) => list.replaceChildren(el("li", { class: "alert" }, `Earlier fact-checks could not be loaded. ${error.message}`)));
  return section;
}
