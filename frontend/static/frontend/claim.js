// The side panel of the reader: the open claim, its state (read-only ones said as such), its
// details form, and the claim's own actions (delete, assign, flag, move the span). Sources,
// verdicts, comments and history come from their modules. Every write goes through api.js; an
// edit carries the claim's ETag, and a conflict is reported with a reload button, never overwritten.

import { allPages, api, busy, el, say } from "./api.js";
import { commentsSection, historySection } from "./discussion.js";
import { flagControl } from "./flag.js";
import { gettext, interpolate } from "./i18n.js";
import { claimMatchesSection } from "./memory.js";
import { sourcesSection } from "./sources.js";
import { verdictsSection } from "./verdicts.js";
import { claimState, when, who } from "./words.js";

// While a verdict awaits an editor, and once published or retracted, a claim's wording and
// sources are frozen (the API refuses direct changes): the panel shows them read-only.
const FROZEN = new Set(["submitted", "published", "retracted"]);
const FOREVER = new Set(["published", "retracted"]);

function field(id, label, control) {
  control.id = id;
  return el("div", { class: "field" }, el("label", { for: id }, label), control);
}

export class ClaimPanel {
  constructor({ me, onClaimChanged, onClaimRemoved, onActive, onMovable, sentencesAround, currentSpan }) {
    this.me = me;
    this.sentencesAround = sentencesAround;
    this.currentSpan = currentSpan;
    this.isEditor = me.roles.has("Editor");
    this.canWrite = this.isEditor || me.roles.has("Reviewer");
    this.canSeeHistory = this.isEditor || me.roles.has("Moderator");
    this.onClaimChanged = onClaimChanged;
    this.onClaimRemoved = onClaimRemoved;
    this.onActive = onActive;
    this.onMovable = onMovable;
    this.root = document.getElementById("panel-claim");
    this.empty = document.getElementById("panel-empty");
    this.title = document.getElementById("panel-title");
    this.scale = null;
    this.options = { stances: [], flag_reasons: [], assignees: [], verdict_min_explanation_length: 0 };
    this.claim = null;
    this.etag = null;
    this.loadToken = 0;
  }

  setScale(scale) {
    this.scale = scale;
  }

  /** review-options/: stances, flag reasons, assignees, the explanation minimum. */
  setOptions(options) {
    this.options = options;
  }

  frozen() {
    return FROZEN.has(this.claim.status);
  }

  frozenForever() {
    return FOREVER.has(this.claim.status);
  }

  frozenNote() {
    return this.claim.status === "submitted"
      ? gettext("Frozen while a verdict awaits an editor: its author may withdraw it to change the claim or its sources.")
      : interpolate(
          gettext("This claim is %(state)s: its wording and sources change only through a correction (a new verdict an editor approves)."),
          { state: claimState(this.claim.status) },
          true,
        );
  }

  /** The API's rule for editing a claim: its author, its assignee, or an editor. */
  canEdit() {
    const claim = this.claim;
    if (!this.canWrite) return false;
    if (FOREVER.has(claim.status)) return this.isEditor; // linking "same as" only
    return this.isEditor || claim.created_by.id === this.me.id || claim.assignee?.id === this.me.id;
  }

  /** The API's rule for deleting: never published; its author, or any editor. */
  canDelete() {
    const claim = this.claim;
    if (!this.canWrite || this.frozen() || claim.published_verdict) return false;
    return this.isEditor || claim.created_by.id === this.me.id;
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
    this.title.textContent = gettext("Claim");
    this.onActive(null);
    this.onMovable(null);
  }

  /** Load claim `id` with everything around it and show it. */
  async open(id, { focus = false } = {}) {
    const token = ++this.loadToken;
    this.onActive(id);
    this.empty.hidden = true;
    this.root.hidden = false;
    this.title.textContent = interpolate(gettext("Claim #%(id)s"), { id }, true);
    this.root.replaceChildren(el("p", { class: "muted" }, gettext("Loading the claim…")));
    const optional = (promise) => promise.then((data) => ({ data }), (error) => ({ error }));
    try {
      const [claim, sources, verdicts, comments, history, corrections] = await Promise.all([
        api(`claims/${id}/`),
        optional(allPages(`claims/${id}/sources/`)),
        optional(allPages(`claims/${id}/verdicts/`)),
        optional(allPages(`claims/${id}/comments/`)),
        this.canSeeHistory ? optional(api(`claims/${id}/history/`).then((r) => r.data)) : null,
        optional(api(`claims/${id}/corrections/`).then((r) => r.data)),
      ]);
      if (token !== this.loadToken) return; // another claim was opened meanwhile
      this.claim = claim.data;
      this.etag = claim.etag;
      this.onClaimChanged(this.claim);
      this.render({ sources, verdicts, comments, history, corrections });
    } catch (error) {
      if (token !== this.loadToken) return;
      this.root.replaceChildren(el("p", { class: "alert", role: "alert" }, interpolate(gettext("The claim could not be loaded. %(error)s"), { error: error.message }, true)));
      this.onMovable(null);
    }
    if (focus) this.title.focus();
  }

  reload() {
    return this.claim ? this.open(this.claim.id, { focus: true }) : Promise.resolve();
  }

  /** After a write to a source: reload, so the verdict's ETag matches what is shown. */
  changed() {
    return this.reload();
  }

  /** Move the open claim to a new span ({start, end} or {sentences}), with its ETag. */
  async respan(span) {
    const { data, etag } = await api(`claims/${this.claim.id}/`, { method: "PATCH", json: span, etag: this.etag });
    this.claim = { ...this.claim, ...data };
    this.etag = etag;
    this.onClaimChanged(this.claim);
    await this.reload();
  }

  render({ sources, verdicts, comments, history, corrections }) {
    const claim = this.claim;
    // replaceChildren writes a null as the text "null": leave absent parts out.
    const present = (...parts) => parts.filter((part) => part != null);
    this.title.replaceChildren(
      ...present(
      `${interpolate(gettext("Claim #%(id)s"), { id: claim.id }, true)} `,
      el("span", { class: `badge state-${claim.status}`, "data-testid": "claim-status" }, claimState(claim.status)),
      claim.is_hidden ? el("span", { class: "badge hidden-badge", "data-testid": "claim-hidden" }, gettext("hidden")) : null,
      ),
    );
    this.root.replaceChildren(
      ...present(
      this.stateNote(corrections.data || []),
      el("blockquote", { class: "quote", "data-testid": "claim-quote" }, claim.quote.exact),
      el(
        "p",
        { class: "muted small" },
        interpolate(
          gettext("Marked by %(person)s, %(date)s · %(assignment)s"),
          {
            person: who(claim.created_by),
            date: when(claim.created_at),
            assignment: claim.assignee ? interpolate(gettext("assigned to %(person)s"), { person: who(claim.assignee) }, true) : gettext("unassigned"),
          },
          true,
        ),
      ),
      this.anchorSection(),
      this.actions(),
      this.detailsForm(),
      claimMatchesSection(claim, {
        canLink: this.canEdit(),
        onLinked: () => this.reload(),
      }),
      sourcesSection(this, sources.data || [], sources.error),
      verdictsSection(this, verdicts.data || [], verdicts.error),
      commentsSection(this, comments.data || [], comments.error),
      history ? historySection(history.data, history.error) : null,
      ),
    );
    this.onMovable(this.canEdit() && !this.frozen() ? claim : null);
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
      orphaned ? gettext("(no longer in the article)") : this.sentencesAround(claim.start, claim.end),
    );
    const status = el("p", { class: "status", role: "status", "data-testid": "anchor-status" });
    const accept = orphaned
      ? null
      : el("button", { type: "button", class: "primary", "data-testid": "accept-anchor" }, gettext("Accept the new text"));
    accept?.addEventListener("click", () => busy([accept], () => this.acceptAnchor(status)));
    const respan = el("button", { type: "button", "data-testid": "respan" }, gettext("Re-span to the selected text"));
    respan.addEventListener("click", () => busy([respan], () => this.respanToSelection(status)));
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
      el("h3", { id: "anchor-h" }, orphaned ? gettext("The article no longer has this passage") : gettext("The article changed here: re-review")),
      el("p", { class: "muted small" }, interpolate(gettext("Before (revision %(revision)s):"), { revision: previous.revision ?? "?" }, true)),
      before,
      el("p", { class: "muted small" }, gettext("Now:")),
      after,
      el("div", { class: "row" }, ...[accept, respan].filter(Boolean)),
      status,
    );
  }

  async acceptAnchor(status) {
    try {
      const { data } = await api(`claims/${this.claim.id}/accept-anchor/`, { method: "POST" });
      this.onClaimChanged(data);
      await this.reload();
    } catch (error) {
      say(status, interpolate(gettext("Not accepted. %(error)s"), { error: error.message }, true));
    }
  }

  async respanToSelection(status) {
    const span = this.currentSpan();
    if (!span) {
      say(status, gettext("Select the claim's text in the article first, then press this button."));
      return;
    }
    try {
      await this.respan(span);
    } catch (error) {
      say(status, interpolate(gettext("The claim was not re-spanned. %(error)s"), { error: error.message }, true));
    }
  }

  /** Published, retracted (with its note) and hidden claims say so first. */
  stateNote(corrections) {
    const claim = this.claim;
    const notes = [];
    if (claim.is_hidden) {
      notes.push(el("p", { class: "read-only", id: "claim-hidden-note" }, gettext("Hidden by a moderator: reviewers and the public do not see this claim.")));
    }
    if (claim.status === "retracted") {
      const retraction = corrections.filter((c) => c.kind === "retraction").at(-1);
      notes.push(
        el(
          "div",
          { class: "read-only retracted", id: "claim-retracted-note" },
          el(
            "p",
            {},
            el("strong", {}, gettext("Retracted")),
            retraction
              ? ` ${interpolate(gettext("by %(person)s, %(date)s."), { person: retraction.created_by, date: when(retraction.created_at) }, true)}`
              : ".",
            ` ${gettext("This claim is read-only.")}`,
          ),
          retraction ? el("p", {}, interpolate(gettext("Correction note: %(note)s"), { note: retraction.note }, true)) : null,
        ),
      );
    } else if (claim.status === "published") {
      const updates = corrections.filter((c) => c.kind === "update");
      notes.push(
        el(
          "div",
          { class: "read-only", id: "claim-published-note" },
          el(
            "p",
            {},
            el("strong", {}, gettext("Published")),
            `, ${interpolate(gettext("%(date)s. Its wording and sources change only through a correction."), { date: when(claim.published_at) }, true)}`,
          ),
          ...updates.map((c) =>
            el("p", { class: "small" }, interpolate(gettext("Correction, %(date)s: %(note)s"), { date: when(c.created_at), note: c.note }, true)),
          ),
        ),
      );
    }
    return notes.length ? el("div", {}, ...notes) : null;
  }

  /** Delete, assign (editors) and flag the claim. */
  actions() {
    const claim = this.claim;
    const error = el("p", { class: "alert", role: "alert", hidden: true });
    const box = el("div", { class: "claim-actions", role: "group", "aria-label": gettext("Claim actions") });
    if (this.canDelete()) {
      const remove = el("button", { type: "button", id: "delete-claim" }, gettext("Delete claim"));
      remove.addEventListener("click", () =>
        busy(remove, async () => {
          if (!window.confirm(interpolate(gettext("Delete claim #%(id)s? Its sources, verdicts and comments go with it."), { id: claim.id }, true))) return;
          try {
            await api(`claims/${claim.id}/`, { method: "DELETE" });
            this.onClaimRemoved(claim.id);
            this.close();
          } catch (failure) {
            say(error, interpolate(gettext("The claim was not deleted. %(error)s"), { error: failure.message }, true));
          }
        }),
      );
      box.append(remove);
    }
    if (this.isEditor && this.options.assignees.length) {
      const select = el(
        "select",
        { name: "assignee" },
        el("option", { value: "" }, gettext("Nobody")),
        ...this.options.assignees.map((u) => el("option", { value: String(u.id) }, u.username)),
      );
      select.value = claim.assignee ? String(claim.assignee.id) : "";
      const assign = el("button", { type: "button", id: "assign-claim" }, gettext("Assign"));
      assign.addEventListener("click", () =>
        busy([assign, select], async () => {
          say(error, "");
          try {
            const { data, etag } = await api(`claims/${claim.id}/`, {
              method: "PATCH",
              json: { assignee: select.value ? Number(select.value) : null },
              etag: this.etag,
            });
            this.claim = { ...this.claim, ...data };
            this.etag = etag;
            this.onClaimChanged(this.claim);
            await this.reload();
          } catch (failure) {
            say(error, interpolate(gettext("The claim was not assigned. %(error)s"), { error: failure.message }, true));
          }
        }),
      );
      box.append(field("claim-assignee", gettext("Assigned to"), select), assign);
    }
    if (this.canWrite && claim.created_by.id !== this.me.id) {
      box.append(flagControl(`claims/${claim.id}/flags/`, this.options.flag_reasons, "claim"));
    }
    return box.childNodes.length ? el("div", {}, box, error) : null;
  }

  // --- Claim details, with the ETag ------------------------------------------------------------

  detailsForm() {
    const claim = this.claim;
    const alertBox = el("div", { class: "alert", role: "alert", id: "claim-alert", hidden: true });
    const claimant = el("input", { type: "text", name: "claimant", maxlength: "255", autocomplete: "off" });
    claimant.value = claim.claimant;
    const text = el("textarea", { name: "text", rows: "3" });
    text.value = claim.text;
    const status = el("p", { class: "status", role: "status" });
    const editable = this.canEdit() && !this.frozen();
    claimant.readOnly = !editable;
    text.readOnly = !editable;
    const form = el(
      "form",
      { class: "stack", id: "claim-form", "aria-labelledby": "details-h" },
      el("h3", { id: "details-h" }, gettext("Claim")),
      alertBox,
      field("claim-claimant", gettext("Claimant (who said it)"), claimant),
      field("claim-text", gettext("The claim in a checker's words"), text),
      this.frozen()
        ? el("p", { class: "muted", id: "claim-frozen" }, this.frozenNote())
        : editable
          ? el("div", { class: "row" }, el("button", { type: "submit" }, gettext("Save claim")), status)
          : null,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!editable) return;
      // The button is disabled while the save is in flight: a double-click sends one PATCH, not
      // a second one with the ETag the first just made stale (a false conflict).
      busy([...form.querySelectorAll("button[type=submit]")], async () => {
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
          say(status, gettext("Saved."), { kind: "ok" });
        } catch (error) {
          if (error.isConflict) {
            // Keep what the user typed on screen; reloading is their choice.
            alertBox.replaceChildren(
              el("p", {}, error.message),
              el("button", { type: "button", class: "primary", onclick: () => this.reload() }, gettext("Reload the claim")),
            );
            alertBox.dataset.conflict = "true";
          } else {
            alertBox.replaceChildren(el("p", {}, interpolate(gettext("The claim was not saved. %(error)s"), { error: error.message }, true)));
          }
          alertBox.hidden = false;
        }
      });
    });
    return form;
  }
}
