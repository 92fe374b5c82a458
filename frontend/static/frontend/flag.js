// "Flag": a small form that sends a claim, source or comment to the moderators with a reason.

import { api, el, say, submitOnce } from "./api.js";
import { gettext, interpolate } from "./i18n.js";

let counter = 0;

/** "Flag this claim": one whole phrase for each thing that can be flagged. */
function flagThis(what) {
  if (what === "claim") return gettext("Flag this claim");
  if (what === "source") return gettext("Flag this source");
  return gettext("Flag this comment");
}

/** A "Flag" button that opens the form; `path` is e.g. "claims/12/flags/"; `what`: claim, source or comment. */
export function flagControl(path, reasons, what) {
  const id = `flag-${++counter}`;
  const box = el("div", { class: "flag-box" });
  const reason = el("select", { id: `${id}-reason`, name: "reason" }, ...reasons.map((r) => el("option", { value: r.value }, r.label)));
  const note = el("input", { type: "text", id: `${id}-note`, name: "note", maxlength: "5000" });
  const status = el("p", { class: "alert", role: "status", hidden: true });
  const form = el(
    "form",
    { class: "flag-form", hidden: true, "aria-label": flagThis(what) },
    el("div", { class: "field" }, el("label", { for: reason.id }, gettext("Reason")), reason),
    el("div", { class: "field" }, el("label", { for: note.id }, gettext("Note for the moderators")), note),
    el("button", { type: "submit" }, gettext("Send flag")),
  );
  const open = el("button", { type: "button", class: "link-button flag-open", "aria-expanded": "false" }, flagThis(what));
  open.addEventListener("click", () => {
    form.hidden = !form.hidden;
    open.setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) reason.focus();
  });
  // Esc closes the form, back to its button (the reader's own Esc is not run).
  form.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    event.preventDefault();
    form.hidden = true;
    open.setAttribute("aria-expanded", "false");
    open.focus();
  });
  submitOnce(
    form,
    async (key) => {
      say(status, "");
      await api(path, { method: "POST", json: { reason: reason.value, note: note.value }, key });
      form.hidden = true;
      open.disabled = true;
      status.tabIndex = -1; // the form and its button are gone: focus the answer, not the page top
      open.textContent = gettext("Flagged");
      say(status, gettext("Thank you: the moderators will look at it."), { kind: "ok" });
      status.focus();
    },
    (error) => say(status, interpolate(gettext("The flag was not sent. %(error)s"), { error: error.message }, true)),
  );
  box.append(open, form, status);
  return box;
}
