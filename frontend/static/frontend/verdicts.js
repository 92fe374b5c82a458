// The claim panel's verdicts: each with its rating, who rated it and who decided, the editor's
// approve / reject (with the public correction note a published claim needs), the author's
// withdraw / submit again, and the form for a new verdict.

import { api, busy, el, say, submitOnce } from "./api.js";
import { gettext, interpolate, ngettext } from "./i18n.js";
import { stanceWord, verdictState, when, who } from "./words.js";

function field(id, label, control, hint) {
  control.id = id;
  return el("div", { class: "field" }, el("label", { for: id }, label), control, hint ? el("p", { class: "hint", id: `${id}-hint` }, hint) : null);
}

// Who decided a verdict: a retracted one had been approved.
const DECIDED = {
  approved: gettext("approved by %(person)s, %(date)s"),
  rejected: gettext("rejected by %(person)s, %(date)s"),
  retracted: gettext("approved by %(person)s, %(date)s"),
};

// Why an action on a verdict did not happen: a whole sentence for each action.
const NOT_DONE = {
  approve: {
    failed: gettext("The verdict was not approved. %(error)s"),
    conflict: gettext("The verdict was not approved: it, the claim or its sources changed since you read them. Reload and review it again."),
  },
  reject: {
    failed: gettext("The verdict was not rejected. %(error)s"),
    conflict: gettext("The verdict was not rejected: it, the claim or its sources changed since you read them. Reload and review it again."),
  },
  withdraw: {
    failed: gettext("The verdict was not withdrawn. %(error)s"),
    conflict: gettext("The verdict was not withdrawn: it, the claim or its sources changed since you read them. Reload and review it again."),
  },
  submit: {
    failed: gettext("The verdict was not submitted. %(error)s"),
    conflict: gettext("The verdict was not submitted: it, the claim or its sources changed since you read them. Reload and review it again."),
  },
};

/** What a correction verdict would change on the published claim, for the editor to review. */
function proposedChanges(changes) {
  if (!changes || !Object.keys(changes).length) return null;
  const lines = [];
  const add = (format, values) => lines.push(interpolate(format, values, true));
  if ("claimant" in changes) add(gettext("Claimant becomes “%(claimant)s”"), { claimant: changes.claimant });
  if ("text" in changes) add(gettext("Wording becomes “%(text)s”"), { text: changes.text });
  if ("start" in changes) add(gettext("Span becomes characters %(start)s–%(end)s"), { start: changes.start, end: changes.end });
  for (const source of changes.add_sources || []) {
    add(gettext("Adds source %(url)s (%(stance)s)"), { url: source.url, stance: stanceWord(source.stance || "context") });
  }
  for (const id of changes.remove_sources || []) add(gettext("Removes source #%(id)s"), { id });
  return el("div", { class: "proposed-changes" }, el("p", {}, el("strong", {}, gettext("Proposed changes to the published claim:"))), el("ul", {}, ...lines.map((line) => el("li", {}, line))));
}

function verdictItem(panel, verdict) {
  const { me, claim } = panel;
  const mine = verdict.author.id === me.id;
  const error = el("p", { class: "alert", role: "alert", hidden: true });
  const decided = DECIDED[verdict.status] && verdict.reviewed_by;
  const item = el(
    "li",
    { class: "verdict", "data-verdict": String(verdict.id), "data-status": verdict.status },
    el("p", {}, el("strong", {}, verdict.rating.label), " ", el("span", { class: `badge verdict-${verdict.status}` }, verdictState(verdict.status))),
    el(
      "p",
      { class: "muted small verdict-people" },
      interpolate(gettext("Rated by %(person)s, %(date)s"), { person: who(verdict.author), date: when(verdict.created_at) }, true),
      decided ? ` · ${interpolate(DECIDED[verdict.status], { person: who(verdict.reviewed_by), date: when(verdict.reviewed_at) }, true)}` : "",
    ),
    el("p", {}, verdict.explanation),
    verdict.review_note ? el("p", { class: "muted" }, interpolate(gettext("Editor's note: %(note)s"), { note: verdict.review_note }, true)) : null,
    proposedChanges(verdict.changes),
    error,
  );
  const act = (path, json) =>
    busy([...item.querySelectorAll("button")], async () => {
      say(error, "");
      try {
        // The verdict's ETag covers it, the claim's wording and its sources as shown: if any
        // changed since, the server refuses (412) and nothing is decided.
        await api(`verdicts/${verdict.id}/${path}/`, { method: "POST", json, etag: path === "approve" || path === "reject" ? verdict.etag : undefined });
        await panel.reload();
      } catch (failure) {
        if (failure.isConflict) {
          error.replaceChildren(
            el("span", {}, `${NOT_DONE[path].conflict} `),
            el("button", { type: "button", onclick: () => panel.reload() }, gettext("Reload the claim")),
          );
          error.hidden = false;
          error.dataset.conflict = "true";
        } else {
          say(error, interpolate(NOT_DONE[path].failed, { error: failure.message }, true));
        }
      }
    });
  if (panel.isEditor && verdict.status === "submitted" && !mine) {
    const reason = el("input", { type: "text", name: "reason" });
    // Replacing a published verdict publishes a correction note with it (required by the API).
    const correction = ["published", "retracted"].includes(claim.status) ? el("textarea", { name: "correction", rows: "2" }) : null;
    const approve = el("button", { type: "button", class: "primary" }, correction ? gettext("Approve and publish the correction") : gettext("Approve and publish"));
    approve.addEventListener("click", () => {
      if (correction && !correction.value.trim()) {
        say(error, gettext("Write the public correction note first: what changed and why."));
        correction.focus();
        return;
      }
      act("approve", correction ? { correction: correction.value.trim() } : {});
    });
    const reject = el("button", { type: "button" }, gettext("Reject"));
    reject.addEventListener("click", () => {
      if (!reason.value.trim()) return say(error, gettext("Say why you reject the verdict, for its author."));
      return act("reject", { reason: reason.value.trim() });
    });
    item.append(
      el(
        "div",
        { class: "editor-actions", role: "group", "aria-label": gettext("Editor's decision") },
        correction ? field(`correction-${verdict.id}`, gettext("Correction note (public: what changed and why)"), correction) : null,
        approve,
        field(`reject-reason-${verdict.id}`, gettext("Reason for rejecting"), reason),
        reject,
      ),
    );
  } else if (panel.isEditor && verdict.status === "submitted" && mine) {
    item.append(el("p", { class: "muted" }, gettext("Another editor must approve your own verdict.")));
  }
  if (mine && verdict.status === "submitted") {
    const withdraw = el("button", { type: "button", class: "withdraw" }, gettext("Withdraw my verdict"));
    withdraw.addEventListener("click", () => act("withdraw", undefined));
    item.append(withdraw);
  } else if (mine && verdict.status === "draft") {
    const resubmit = el("button", { type: "button", class: "resubmit" }, gettext("Submit again"));
    resubmit.addEventListener("click", () => act("submit", undefined));
    item.append(resubmit);
  }
  return item;
}

function verdictForm(panel) {
  const { claim, scale, options } = panel;
  const ratings = scale ? scale.ratings : [];
  const minimum = options.verdict_min_explanation_length;
  const error = el("p", { class: "alert", role: "alert", hidden: true });
  const explanation = el("textarea", { name: "explanation", rows: "4", required: true, minlength: String(minimum), "aria-describedby": "verdict-explanation-hint" });
  const correcting = claim.status === "published";
  const form = el(
    "form",
    { class: "stack", id: "verdict-form", "aria-label": correcting ? gettext("Propose a new verdict (a correction)") : gettext("Give a verdict") },
    correcting
      ? el("p", { class: "muted" }, gettext("This claim is published: a new verdict is a correction. An editor approves it with a public correction note."))
      : null,
    el(
      "fieldset",
      { class: "ratings" },
      el("legend", {}, gettext("Rating (number keys pick one)")),
      ...ratings.map((rating, i) =>
        el(
          "div",
          { class: "rating-option" },
          el("input", { type: "radio", name: "rating", id: `rating-${rating.slug}`, value: rating.slug, required: true }),
          el("label", { for: `rating-${rating.slug}`, title: rating.description }, el("kbd", {}, String(i + 1)), ` ${rating.label}`),
        ),
      ),
    ),
    field(
      "verdict-explanation",
      gettext("Explanation"),
      explanation,
      interpolate(
        ngettext(
          "What the sources show, in a few sentences (at least %(count)s character).",
          "What the sources show, in a few sentences (at least %(count)s characters).",
          minimum,
        ),
        { count: minimum },
        true,
      ),
    ),
    error,
    el("button", { type: "submit", class: "primary" }, correcting ? gettext("Submit the correction") : gettext("Submit verdict")),
  );
  if (!ratings.length) say(error, gettext("The rating scale is not available; reload the page."));
  submitOnce(
    form,
    async (key) => {
      say(error, "");
      const rating = form.querySelector("input[name=rating]:checked");
      if (!rating) return say(error, gettext("Pick a rating first (number keys 1–9 or a click)."));
      await api(`claims/${claim.id}/verdicts/`, { method: "POST", json: { rating: rating.value, explanation: explanation.value }, key });
      await panel.reload();
    },
    (failure) => say(error, interpolate(NOT_DONE.submit.failed, { error: failure.message }, true)),
  );
  return form;
}

export function verdictsSection(panel, verdicts, loadError) {
  const list = el("ul", { class: "plain-list verdicts", id: "verdicts-list" }, ...verdicts.map((v) => verdictItem(panel, v)));
  const children = [el("h3", { id: "verdicts-h" }, gettext("Verdict")), list];
  if (loadError) {
    children.push(el("p", { class: "alert", role: "alert" }, interpolate(gettext("The verdicts could not be loaded. %(error)s"), { error: loadError.message }, true)));
  }
  if (verdicts.some((v) => v.status === "submitted")) children.push(el("p", { class: "muted" }, gettext("A verdict awaits an editor's approval.")));
  else if (panel.claim.status === "retracted") children.push(el("p", { class: "muted" }, gettext("A retracted claim takes no new verdict.")));
  else if (panel.canWrite) children.push(verdictForm(panel));
  return el("section", { "aria-labelledby": "verdicts-h", class: "panel-section" }, ...children);
}
