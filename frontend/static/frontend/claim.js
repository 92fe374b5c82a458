// The side panel of the reader: one claim with its details form, sources, verdicts (with the
// editor's approve / reject), comments and history. Every write goes through api.js; an edit
// carries the claim's ETag, and a conflict is reported with a reload button, never overwritten.

import { api, el, items, say } from "./api.js";
import { claimMatchesSection } from "./memory.js";

const STANCES = [
  ["supports", "Supports the claim"],
  ["refutes", "Refutes the claim"],
  ["context", "Gives context"],
];

// While a verdict awaits an editor, and once published or retracted, a claim's wording and
// sources are frozen (the API refuses direct changes): the panel shows them read-only.
const FROZEN = new Set(["submitted", "published", "retracted"]);

function frozenNote(status) {
  return status === "submitted"
    ? "Frozen while a verdict awaits an editor: its author may withdraw it to change the claim or its sources."
    : `This claim is ${status}: its wording and sources change only through a correction (a new verdict an editor approves).`;
}

function userName(user) {
  if (!user) return "someone";
  return typeof user === "string" ? user : user.username || user.name || `user #${user.id}`;
}

function ratingLabel(rating) {
  if (!rating) return "";
  return typeof rating === "string" ? rating : rating.label || rating.slug;
}

function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

function field(id, label, control, hint) {
  control.id = id;
  return el("div", { class: "field" }, el("label", { for: id }, label), control, hint ? el("p", { class: "hint", id: `${id}-hint` }, hint) : null);
}

export class ClaimPanel {
  constructor({ me, onClaimChanged, onClaimRemoved, onActive, sentenceTextAround, currentSelection }) {
    this.me = me;
    this.sentenceTextAround = sentenceTextAround;
    this.currentSelection = currentSelection;
    this.isEditor = me.roles.has("Editor");
    this.canSeeHistory = this.isEditor || me.roles.has("Moderator");
    this.onClaimChanged = onClaimChanged;
    this.onClaimRemoved = onClaimRemoved;
    this.onActive = onActive;
    this.root = document.getElementById("panel-claim");
    this.empty = document.getElementById("panel-empty");
    this.title = document.getElementById("panel-title");
    this.scale = null;
    this.claim = null;
    this.etag = null;
    this.loadToken = 0;
  }

  setScale(scale) {
    this.scale = scale;
  }

  /** Whether I may link the open claim (same rule as the API: author, assignee, editors;
   * editors only once it is published or retracted). */
  canEdit() {
    const claim = this.claim;
    const mine = claim.created_by?.id === this.me.id || claim.assignee?.id === this.me.id;
    if (["published", "retracted"].includes(claim.status)) return this.isEditor;
    return this.isEditor || mine;
  }

  /** Number key n picks the n-th rating of the open verdict form; false if there is none. */
  pickRating(n) {
    const radios = this.root.querySelectorAll("input[name=rating]");
    if (this.root.hidden || !radios.length || n > radios.length) return false;
    radios[n - 1].checked = true;
    radios[n - 1].focus();
    return true;
  }

  close() {
    this.claim = null;
    this.root.hidden = true;
    this.root.replaceChildren();
    this.empty.hidden = false;
    this.title.textContent = "Claims";
    this.onActive(null);
  }

  /** Load claim `id` with everything around it and show it. */
  async open(id, { focus = false } = {}) {
    const token = ++this.loadToken;
    this.onActive(id);
    this.empty.hidden = true;
    this.root.hidden = false;
    this.title.textContent = `Claim #${id}`;
    this.root.replaceChildren(el("p", { class: "muted" }, "Loading the claim…"));
    const optional = (promise) => promise.catch((error) => ({ error }));
    try {
      const [claim, sources, verdicts, comments, history] = await Promise.all([
        api(`claims/${id}/`),
        optional(api(`claims/${id}/sources/`)),
        optional(api(`claims/${id}/verdicts/`)),
        optional(api(`claims/${id}/comments/`)),
        this.canSeeHistory ? optional(api(`claims/${id}/history/`)) : Promise.resolve(null),
      ]);
      if (token !== this.loadToken) return; // another claim was opened meanwhile
      this.claim = claim.data;
      this.etag = claim.etag;
      this.onClaimChanged(this.claim);
      this.render({ sources, verdicts, comments, history });
    } catch (error) {
      if (token !== this.loadToken) return;
      this.root.replaceChildren(el("p", { class: "alert", role: "alert" }, `The claim could not be loaded. ${error.message}`));
    }
    if (focus) this.title.focus();
  }

  reload() {
    return this.claim ? this.open(this.claim.id, { focus: true }) : Promise.resolve();
  }

  render({ sources, verdicts, comments, history }) {
    const claim = this.claim;
    this.title.replaceChildren(`Claim #${claim.id} `, el("span", { class: `badge state-${claim.status}`, "data-testid": "claim-status" }, claim.status));
    this.root.replaceChildren(
      el("blockquote", { class: "quote", "data-testid": "claim-quote" }, (claim.quote && claim.quote.exact) || ""),
      el("p", { class: "muted small" }, `Marked by ${userName(claim.created_by)} · characters ${claim.start}–${claim.end}`),
      this.anchorSection(),
      this.detailsForm(),
      claimMatchesSection(claim, {
        canLink: this.canEdit(),
        onLinked: (updated) => {
          this.claim = { ...this.claim, same_as: updated.same_as, same_as_external: updated.same_as_external };
          this.reload();
        },
      }),
      this.sourcesSection(sources),
      this.verdictsSection(verdicts),
      this.commentsSection(comments),
      history ? this.historySection(history) : null,
    );
  }

  // --- Living articles: the claim's sentence before and after the article changed -------------

  anchorSection() {
    const claim = this.claim;
    if (!claim.anchor_status || claim.anchor_status === "anchored") return null;
    const previous = claim.anchor_previous || {};
    const orphaned = claim.anchor_status === "orphaned";
    const before = el("p", { class: "before", "data-testid": "anchor-before" }, previous.text || claim.quote.exact);
    const after = el(
      "p",
      { class: "after", "data-testid": "anchor-after" },
      orphaned ? "(no longer in the article)" : this.sentenceTextAround(claim.start, claim.end),
    );
    const status = el("p", { class: "status", role: "status", "data-testid": "anchor-status" });
    const accept = orphaned
      ? null
      : el("button", { type: "button", class: "primary", "data-testid": "accept-anchor", onclick: () => this.acceptAnchor(status) }, "Accept the new text");
    const respan = el("button", { type: "button", "data-testid": "respan", onclick: () => this.respan(status) }, "Re-span to the selected text");
    if (previous.revision) {
      // The whole sentence as it was: from the revision the claim was last placed on.
      api(`articles/${claim.article}/revisions/${previous.revision}/`)
        .then(({ data }) => {
          const old = data.sentences.filter((s) => s.start < previous.end && s.end > previous.start);
          if (old.length) before.textContent = old.map((s) => s.text).join(" ");
        })
        .catch(() => {}); // the claim's own old text is already shown
    }
    return el(
      "section",
      { class: "anchor-change stack", "aria-labelledby": "anchor-h", "data-testid": "anchor-change" },
      el("h3", { id: "anchor-h" }, orphaned ? "The article no longer has this passage" : "The article changed here: re-review"),
      el("p", { class: "muted small" }, `Before (revision ${previous.revision ?? "?"}):`),
      before,
      el("p", { class: "muted small" }, "Now:"),
      after,
      el("div", { class: "row" }, accept, respan),
      status,
    );
  }

  async acceptAnchor(status) {
    try {
      const { data } = await api(`claims/${this.claim.id}/accept-anchor/`, { method: "POST" });
      this.onClaimChanged(data);
      await this.reload();
    } catch (error) {
      say(status, `Not accepted. ${error.message}`);
    }
  }

  async respan(status) {
    const selection = this.currentSelection();
    if (!selection) {
      say(status, "Select the claim's text in the article first, then press this button.");
      return;
    }
    try {
      const { data } = await api(`claims/${this.claim.id}/`, {
        method: "PATCH",
        json: { start: selection.start, end: selection.end },
        etag: this.etag,
      });
      this.onClaimChanged(data);
      await this.reload();
    } catch (error) {
      say(status, `The claim was not re-spanned. ${error.message}`);
    }
  }

  // --- Claim details, with the ETag ------------------------------------------------------------

  detailsForm() {
    const claim = this.claim;
    const alertBox = el("div", { class: "alert", role: "alert", id: "claim-alert", hidden: true });
    const claimant = el("input", { type: "text", name: "claimant", maxlength: "255", autocomplete: "off" });
    claimant.value = claim.claimant || "";
    const text = el("textarea", { name: "text", rows: "3" });
    text.value = claim.text || "";
    const status = el("p", { class: "status", role: "status" });
    const frozen = FROZEN.has(claim.status);
    claimant.readOnly = frozen;
    text.readOnly = frozen;
    const form = el(
      "form",
      { class: "stack", id: "claim-form", "aria-labelledby": "details-h" },
      el("h3", { id: "details-h" }, "Claim"),
      alertBox,
      field("claim-claimant", "Claimant (who said it)", claimant),
      field("claim-text", "The claim in a checker's words", text),
      frozen
        ? el("p", { class: "muted", id: "claim-frozen" }, frozenNote(claim.status))
        : el("div", { class: "row" }, el("button", { type: "submit" }, "Save claim"), status),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      say(status, "");
      alertBox.hidden = true;
      try {
        const { data, etag } = await api(`claims/${claim.id}/`, {
          method: "PATCH",
          json: { claimant: claimant.value, text: text.value },
          etag: this.etag,
        });
        this.claim = { ...this.claim, ...data };
        this.etag = etag;
        this.onClaimChanged(this.claim);
        say(status, "Saved.", { kind: "ok" });
      } catch (error) {
        if (error.isConflict) {
          // Keep what the user typed on screen; reloading is their choice.
          alertBox.replaceChildren(
            el("p", {}, error.message),
            el("button", { type: "button", class: "primary", onclick: () => this.reload() }, "Reload the claim"),
          );
          alertBox.hidden = false;
          alertBox.dataset.conflict = "true";
        } else {
          alertBox.replaceChildren(el("p", {}, `The claim was not saved. ${error.message}`));
          alertBox.hidden = false;
        }
      }
    });
    return form;
  }

  // --- Sources ---------------------------------------------------------------------------------

  sourcesSection(response) {
    const list = el("ul", { class: "plain-list sources", id: "sources-list" });
    const fill = (sources) => {
      list.replaceChildren(
        ...sources.map((source) =>
          el(
            "li",
            {},
            el("a", { href: source.url, rel: "noopener noreferrer", target: "_blank" }, source.title || source.url),
            " ",
            el("span", { class: `badge stance-${source.stance}` }, source.stance),
            source.publisher ? el("span", { class: "muted" }, ` ${source.publisher}`) : null,
            source.quote ? el("blockquote", { class: "small" }, source.quote) : null,
          ),
        ),
      );
      if (!sources.length) list.replaceChildren(el("li", { class: "muted" }, "No source yet: a verdict needs at least one."));
    };
    const sources = response && !response.error ? items(response.data) : [];
    fill(sources);
    const error = el("p", { class: "alert", role: "alert", hidden: true });
    if (response && response.error) say(error, `The sources could not be loaded. ${response.error.message}`);
    const stance = el("select", { name: "stance" }, ...STANCES.map(([value, label]) => el("option", { value }, label)));
    stance.value = "context";
    const inputs = {
      url: el("input", { type: "url", name: "url", required: true, placeholder: "https://" }),
      title: el("input", { type: "text", name: "title", maxlength: "500" }),
      publisher: el("input", { type: "text", name: "publisher", maxlength: "255" }),
      quote: el("textarea", { name: "quote", rows: "2" }),
    };
    const form = el(
      "form",
      { class: "stack", id: "source-form", "aria-label": "Add a source" },
      field("source-url", "Source address (URL)", inputs.url),
      field("source-title", "Title", inputs.title),
      field("source-publisher", "Publisher", inputs.publisher),
      field("source-quote", "Quote from the source", inputs.quote),
      field("source-stance", "Stance", stance),
      error,
      el("button", { type: "submit" }, "Add source"),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      say(error, "");
      try {
        const { data } = await api(`claims/${this.claim.id}/sources/`, {
          method: "POST",
          json: {
            url: inputs.url.value.trim(),
            title: inputs.title.value,
            publisher: inputs.publisher.value,
            quote: inputs.quote.value,
            stance: stance.value,
          },
        });
        sources.push(data);
        fill(sources);
        form.reset();
        stance.value = "context";
        heading.textContent = `Sources (${sources.length})`;
      } catch (failure) {
        say(error, `The source was not added. ${failure.message}`);
      }
    });
    const heading = el("h3", { id: "sources-h" }, `Sources (${sources.length})`);
    const frozen = FROZEN.has(this.claim.status);
    const addOrNote = frozen ? el("p", { class: "muted", id: "sources-frozen" }, frozenNote(this.claim.status)) : form;
    return el("section", { "aria-labelledby": "sources-h", class: "panel-section" }, heading, list, addOrNote);
  }

  // --- Verdicts --------------------------------------------------------------------------------

  verdictItem(verdict) {
    const mine = verdict.author && (verdict.author.id === this.me.id || verdict.author === this.me.username);
    const canReview = this.isEditor && verdict.status === "submitted" && !mine;
    const error = el("p", { class: "alert", role: "alert", hidden: true });
    const item = el(
      "li",
      { class: "verdict", "data-verdict": String(verdict.id), "data-status": verdict.status },
      el("p", {}, el("strong", {}, ratingLabel(verdict.rating)), " ", el("span", { class: `badge verdict-${verdict.status}` }, verdict.status), el("span", { class: "muted" }, ` by ${userName(verdict.author)}, ${when(verdict.created_at)}`)),
      el("p", {}, verdict.explanation || ""),
      verdict.review_note ? el("p", { class: "muted" }, `Editor's note: ${verdict.review_note}`) : null,
      this.proposedChanges(verdict.changes),
      error,
    );
    if (canReview) {
      const reason = el("input", { type: "text", name: "reason" });
      // Replacing a published verdict publishes a correction note with it.
      const correction = this.claim.status === "published" ? el("input", { type: "text", name: "correction" }) : null;
      const rejectId = `reject-reason-${verdict.id}`;
      // The verdict's ETag covers it, the claim's wording and its sources as this panel shows
      // them: if any changed since, the server refuses (412) and nothing is approved.
      const act = async (path, json, what) => {
        say(error, "");
        try {
          await api(`verdicts/${verdict.id}/${path}/`, { method: "POST", json, etag: verdict.etag });
          await this.reload();
        } catch (failure) {
          if (failure.isConflict) {
            error.replaceChildren(
              el("span", {}, `The verdict was not ${what}: it, the claim or its sources changed since you read them. Reload and review it again. `),
              el("button", { type: "button", onclick: () => this.reload() }, "Reload the claim"),
            );
            error.hidden = false;
            error.dataset.conflict = "true";
          } else {
            say(error, `The verdict was not ${what}. ${failure.message}`);
          }
        }
      };
      item.append(
        el(
          "div",
          { class: "editor-actions", role: "group", "aria-label": "Editor's decision" },
          correction ? field(`correction-${verdict.id}`, "Correction note (public: what changed and why)", correction) : null,
          el("button", { type: "button", class: "primary", onclick: () => act("approve", correction ? { correction: correction.value.trim() } : {}, "approved") }, "Approve and publish"),
          field(rejectId, "Reason for rejecting", reason),
          el(
            "button",
            {
              type: "button",
              onclick: () => {
                if (!reason.value.trim()) return say(error, "Say why you reject the verdict, for its author.");
                return act("reject", { reason: reason.value.trim() }, "rejected");
              },
            },
            "Reject",
          ),
        ),
      );
    } else if (this.isEditor && verdict.status === "submitted" && mine) {
      item.append(el("p", { class: "muted" }, "Another editor must approve your own verdict."));
    }
    if (mine && verdict.status === "submitted") {
      const withdraw = async () => {
        say(error, "");
        try {
          await api(`verdicts/${verdict.id}/withdraw/`, { method: "POST" });
          await this.reload();
        } catch (failure) {
          say(error, `The verdict was not withdrawn. ${failure.message}`);
        }
      };
      item.append(el("button", { type: "button", class: "withdraw", onclick: withdraw }, "Withdraw my verdict"));
    } else if (mine && verdict.status === "draft") {
      const resubmit = async () => {
        say(error, "");
        try {
          await api(`verdicts/${verdict.id}/submit/`, { method: "POST" });
          await this.reload();
        } catch (failure) {
          say(error, `The verdict was not submitted. ${failure.message}`);
        }
      };
      item.append(el("button", { type: "button", class: "resubmit", onclick: resubmit }, "Submit again"));
    }
    return item;
  }

  /** What a correction verdict would change on the published claim, for the editor to review. */
  proposedChanges(changes) {
    if (!changes || !Object.keys(changes).length) return null;
    const lines = [];
    if ("claimant" in changes) lines.push(`Claimant becomes “${changes.claimant}”`);
    if ("text" in changes) lines.push(`Wording becomes “${changes.text}”`);
    if ("start" in changes) lines.push(`Span becomes characters ${changes.start}–${changes.end}`);
    for (const source of changes.add_sources || []) lines.push(`Adds source ${source.url} (${source.stance || "context"})`);
    for (const id of changes.remove_sources || []) lines.push(`Removes source #${id}`);
    return el("div", { class: "proposed-changes" }, el("p", {}, el("strong", {}, "Proposed changes to the published claim:")), el("ul", {}, ...lines.map((line) => el("li", {}, line))));
  }

  verdictsSection(response) {
    const verdicts = response && !response.error ? items(response.data) : [];
    const list = el("ul", { class: "plain-list verdicts", id: "verdicts-list" }, ...verdicts.map((v) => this.verdictItem(v)));
    const children = [el("h3", { id: "verdicts-h" }, "Verdict"), list];
    if (response && response.error) {
      children.push(el("p", { class: "alert", role: "alert" }, `The verdicts could not be loaded. ${response.error.message}`));
    }
    const pending = verdicts.some((v) => v.status === "submitted");
    if (pending) children.push(el("p", { class: "muted" }, "A verdict awaits an editor's approval."));
    else children.push(this.verdictForm());
    return el("section", { "aria-labelledby": "verdicts-h", class: "panel-section" }, ...children);
  }

  verdictForm() {
    const ratings = (this.scale && this.scale.ratings) || [];
    const error = el("p", { class: "alert", role: "alert", hidden: true });
    const explanation = el("textarea", { name: "explanation", rows: "4", required: true, "aria-describedby": "verdict-explanation-hint" });
    const form = el(
      "form",
      { class: "stack", id: "verdict-form", "aria-label": "Give a verdict" },
      el(
        "fieldset",
        { class: "ratings" },
        el("legend", {}, "Rating (number keys pick one)"),
        ...ratings.map((rating, i) =>
          el(
            "div",
            { class: "rating-option" },
            el("input", { type: "radio", name: "rating", id: `rating-${rating.slug}`, value: rating.slug, required: true }),
            el("label", { for: `rating-${rating.slug}`, title: rating.description || "" }, el("kbd", {}, String(i + 1)), ` ${rating.label}`),
          ),
        ),
      ),
      field("verdict-explanation", "Explanation", explanation, "What the sources show, in a few sentences (at least 20 characters)."),
      error,
      el("button", { type: "submit", class: "primary" }, "Submit verdict"),
    );
    if (!ratings.length) say(error, "The rating scale is not available; reload the page.");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      say(error, "");
      const rating = form.querySelector("input[name=rating]:checked");
      if (!rating) return say(error, "Pick a rating first (number keys 1–9 or a click).");
      try {
        await api(`claims/${this.claim.id}/verdicts/`, {
          method: "POST",
          json: { rating: rating.value, explanation: explanation.value },
        });
        await this.reload();
      } catch (failure) {
        say(error, `The verdict was not submitted. ${failure.message}`);
      }
    });
    return form;
  }

  // --- Comments --------------------------------------------------------------------------------

  commentsSection(response) {
    const comments = response && !response.error ? items(response.data) : [];
    const item = (c) => el("li", {}, el("p", { class: "muted small" }, `${userName(c.author)}, ${when(c.created_at)}`), el("p", {}, c.body));
    const list = el("ul", { class: "plain-list comments", id: "comments-list" }, ...comments.map(item));
    const error = el("p", { class: "alert", role: "alert", hidden: true });
    if (response && response.error) say(error, `The comments could not be loaded. ${response.error.message}`);
    const body = el("textarea", { name: "body", rows: "2", required: true });
    const form = el("form", { class: "stack", id: "comment-form", "aria-label": "Add a comment" }, field("comment-body", "Comment", body), error, el("button", { type: "submit" }, "Add comment"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      say(error, "");
      try {
        const { data } = await api(`claims/${this.claim.id}/comments/`, { method: "POST", json: { body: body.value } });
        list.append(item(data));
        form.reset();
      } catch (failure) {
        say(error, `The comment was not added. ${failure.message}`);
      }
    });
    return el("section", { "aria-labelledby": "comments-h", class: "panel-section" }, el("h3", { id: "comments-h" }, "Comments"), list, form);
  }

  // --- History ---------------------------------------------------------------------------------

  historySection(response) {
    const section = el("section", { "aria-labelledby": "history-h", class: "panel-section" }, el("h3", { id: "history-h" }, "History"));
    if (response.error) {
      section.append(el("p", { class: "muted" }, `The history could not be loaded. ${response.error.message}`));
      return section;
    }
    const events = Array.isArray(response.data) ? response.data : (response.data && response.data.events) || items(response.data);
    section.append(
      el(
        "ol",
        { class: "history", id: "history-list" },
        ...events.map((event) => el("li", {}, el("span", { class: "muted small" }, when(event.created_at)), " ", el("strong", {}, userName(event.actor)), ` ${event.action}`)),
      ),
    );
    return section;
  }
}
