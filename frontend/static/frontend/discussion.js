// The claim panel's comments (edit and delete my own before publication, flag others') and its
// history in words ("Verdict approved by eddie, 2 Dec 14:02").

import { api, busy, el, say, submitOnce } from "./api.js";
import { flagControl } from "./flag.js";
import { gettext, interpolate, pgettext } from "./i18n.js";
import { eventInWords, when, who } from "./words.js";

export function commentsSection(panel, comments, loadError) {
  const { claim, me, options } = panel;
  const open = !panel.frozenForever();
  const list = el("ul", { class: "plain-list comments", id: "comments-list" });

  const item = (comment) => {
    const mine = comment.author.id === me.id;
    const error = el("p", { class: "alert", role: "alert", hidden: true });
    const body = el("p", { class: "comment-body" }, comment.body);
    const edited = comment.updated_at && comment.updated_at !== comment.created_at;
    const byline = { person: who(comment.author), date: when(comment.created_at) };
    const li = el(
      "li",
      { dataset: { comment: String(comment.id) } },
      el("p", { class: "muted small" }, interpolate(edited ? gettext("%(person)s, %(date)s (edited)") : gettext("%(person)s, %(date)s"), byline, true)),
      comment.is_hidden ? el("span", { class: "badge hidden-badge" }, pgettext("comment", "hidden by a moderator")) : null,
      body,
      error,
    );
    const actions = el("div", { class: "item-actions" });
    if (mine && open) {
      actions.append(
        el("button", { type: "button", class: "edit-comment", onclick: () => edit(comment, li) }, gettext("Edit")),
        el(
          "button",
          {
            type: "button",
            class: "delete-comment",
            onclick: (event) =>
              busy(event.currentTarget, async () => {
                if (!window.confirm(gettext("Delete your comment?"))) return;
                try {
                  await api(`claims/${claim.id}/comments/${comment.id}/`, { method: "DELETE" });
                  li.remove();
                } catch (failure) {
                  say(error, interpolate(gettext("The comment was not deleted. %(error)s"), { error: failure.message }, true));
                }
              }),
          },
          gettext("Delete"),
        ),
      );
    }
    if (!mine && panel.canWrite) actions.append(flagControl(`comments/${comment.id}/flags/`, options.flag_reasons, "comment"));
    if (actions.childNodes.length) li.append(actions);
    return li;
  };

  const edit = (comment, li) => {
    const text = el("textarea", { name: "body", rows: "2", required: true, id: `edit-comment-${comment.id}`, "aria-label": gettext("Your comment") });
    text.value = comment.body;
    const error = el("p", { class: "alert", role: "alert", hidden: true });
    const form = el(
      "form",
      { class: "stack edit-comment-form" },
      text,
      error,
      el("div", { class: "row" }, el("button", { type: "submit", class: "primary" }, gettext("Save comment")), el("button", { type: "button", onclick: () => li.replaceWith(item(comment)) }, gettext("Cancel"))),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      busy([...form.querySelectorAll("button")], async () => {
        try {
          const { data } = await api(`claims/${claim.id}/comments/${comment.id}/`, { method: "PATCH", json: { body: text.value } });
          li.replaceWith(item(data));
        } catch (failure) {
          say(error, interpolate(gettext("The comment was not saved. %(error)s"), { error: failure.message }, true));
        }
      });
    });
    li.replaceChildren(form);
    text.focus();
  };

  list.replaceChildren(...comments.map(item));
  const section = el("section", { "aria-labelledby": "comments-h", class: "panel-section" }, el("h3", { id: "comments-h" }, gettext("Comments")), list);
  if (loadError) section.append(el("p", { class: "alert", role: "alert" }, interpolate(gettext("The comments could not be loaded. %(error)s"), { error: loadError.message }, true)));
  if (!panel.canWrite) return section;
  const body = el("textarea", { name: "body", rows: "2", required: true, id: "comment-body" });
  const error = el("p", { class: "alert", role: "alert", hidden: true });
  const form = el("form", { class: "stack", id: "comment-form", "aria-label": gettext("Add a comment") }, el("div", { class: "field" }, el("label", { for: "comment-body" }, gettext("Comment")), body), error, el("button", { type: "submit" }, gettext("Add comment")));
  submitOnce(
    form,
    async (key) => {
      say(error, "");
      const { data } = await api(`claims/${claim.id}/comments/`, { method: "POST", json: { body: body.value }, key });
      list.append(item(data));
      form.reset();
    },
    (failure) => say(error, interpolate(gettext("The comment was not added. %(error)s"), { error: failure.message }, true)),
  );
  section.append(form);
  return section;
}

/** claims/{id}/history/ answers {claim, events}. */
export function historySection(history, loadError) {
  const section = el("section", { "aria-labelledby": "history-h", class: "panel-section" }, el("h3", { id: "history-h" }, gettext("History")));
  if (loadError) {
    section.append(el("p", { class: "muted" }, interpolate(gettext("The history could not be loaded. %(error)s"), { error: loadError.message }, true)));
    return section;
  }
  section.append(el("ol", { class: "history", id: "history-list" }, ...history.events.map((event) => el("li", { dataset: { action: event.action } }, eventInWords(event)))));
  return section;
}
