// The claims list beside the text: every claim of the article with its state, rating and
// assignee, filtered by state; a click (or Enter) jumps to the claim in the text and opens it.

import { el } from "./api.js";
import { gettext, interpolate } from "./i18n.js";
import { claimRating } from "./textview.js";
import { claimState } from "./words.js";

export class ClaimList {
  constructor({ view, list, filter, count, onOpen }) {
    this.view = view;
    this.list = list;
    this.filter = filter;
    this.count = count;
    this.onOpen = onOpen;
    filter.addEventListener("change", () => this.render());
  }

  /** The state filter's options, from the API's claim states. */
  setStates(states) {
    this.filter.replaceChildren(
      el("option", { value: "" }, gettext("All states")),
      ...states.map((s) => el("option", { value: s.value }, s.label)),
    );
  }

  render() {
    const wanted = this.filter.value;
    const all = [...this.view.claims.values()].sort((a, b) => a.start - b.start || a.id - b.id);
    const shown = wanted ? all.filter((c) => c.status === wanted) : all;
    this.count.textContent = wanted
      ? interpolate(gettext("%(shown)s of %(total)s"), { shown: shown.length, total: all.length }, true)
      : String(all.length);
    if (!shown.length) {
      this.list.replaceChildren(el("li", { class: "muted" }, all.length ? gettext("No claim in this state.") : gettext("No claim marked yet.")));
      return;
    }
    this.list.replaceChildren(...shown.map((claim) => this.item(claim)));
  }

  item(claim) {
    const rating = claimRating(claim);
    const active = this.view.activeClaim === claim.id;
    const quote = claim.quote.exact;
    return el(
      "li",
      { class: active ? "active" : null, dataset: { claimItem: String(claim.id), status: claim.status } },
      el(
        "button",
        { type: "button", class: "claim-link", "aria-current": active ? "true" : false, onclick: () => this.onOpen(claim.id) },
        el("span", { class: `badge state-${claim.status}` }, claimState(claim.status)),
        claim.is_hidden ? el("span", { class: "badge hidden-badge" }, gettext("hidden")) : null,
        rating ? el("span", { class: `rating-chip rating-${rating.slug}` }, rating.label) : null,
        el("span", { class: "claim-link-text" }, `#${claim.id} “${quote.length > 90 ? `${quote.slice(0, 89)}…` : quote}”`),
        el("span", { class: "muted small" }, claim.assignee ? interpolate(gettext("assigned to %(person)s"), { person: claim.assignee.username }, true) : gettext("unassigned")),
      ),
    );
  }
}
