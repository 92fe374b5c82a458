// "Flag": a small form that sends a claim, source or comment to the moderators with a reason.

import { api, el, say, submitOnce } from "./api.js";

let counter = 0;

/** A "Flag" button that opens the form; `path` is e.g. "claims/12/flags/". */
export function flagControl(path, reasons, what) {
  const id = `flag-${++counter}`;
  const box = el("div", { class: "flag-box" });
  const reason = el("select", { id: `${id}-reason`, name: "reason" }, ...reasons.map((r) => el("option", { value: r.value }, r.label)));
  const note = el("input", { type: "text", id: `${id}-note`, name: "note", maxlength: "5000" });
  const status = el("p", { class: "alert", role: "status", hidden: true });
  const form = el(
    "form",
    { class: "flag-form", hidden: true, "aria-label": `Flag this ${what}` },
    el("div", { class: "field" }, el("label", { for: reason.id }, "Reason"), reason),
    el("div", { class: "field" }, el("label", { for: note.id }, "Note for the moderators"), note),
    el("button", { type: "submit" }, "Send flag"),
  );
  const open = el("button", { type: "button", class: "link-button flag-open", "aria-expanded": "false" }, `Flag this ${what}`);
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
      open.textContent = "Flagged";
      say(status, "Thank you: the moderators will look at it.", { kind: "ok" });
      status.focus();
    },
    (error) => say(status, `The flag was not sent. ${error.message}`),
  );
  box.append(open, form, status);
  return box;
}
