// The claim panel's comments (edit and delete my own before publication, flag others') and its
// history in words ("Verdict approved by eddie, 2 Dec 14:02").

import { api, busy, el, say, submitOnce } from "./api.js";
import { flagControl } from "./flag.js";
import { eventInWords, when, who } from "./words.js";

export function commentsSection(panel, comments, loadError) {
  const { claim, me, options } = panel;
  const open = !panel.frozenForever();
  const list = el("ul", { class: "plain-list comments", id: "comments-list" });

  const item = (comment) => {
    const mine = comment.author.id === me.id;
    const error = el("p", { class: "alert", role: "alert", hidden: true });
    const body = el("p", { class: "comment-body" }, comment.body);
    const edited = comment.updated_at && comment.updated_at !== comment.created_at ? " (edited)" : "";
    const li = el(
      "li",
      { dataset: { comment: String(comment.id) } },
      el("p", { class: "muted small" }, `${who(comment.author)}, ${when(comment.created_at)}${edited}`),
      comment.is_hidden ? el("span", { class: "badge hidden-badge" }, "hidden by a moderator") : null,
      body,
      error,
    );
    const actions = el("div", { class: "item-actions" });
    if (mine && open) {
      actions.append(
        el("button", { type: "button", class: "edit-comment", onclick: () => edit(comment, li) }, "Edit"),
        el(
          "button",
          {
            type: "button",
            class: "delete-comment",
            onclick: (event) =>
              busy(event.currentTarget, async () => {
                if (!window.confirm("Delete your comment?")) return;
                try {
                  await api(`claims/${claim.id}/comments/${comment.id}/`, { method: "DELETE" });
                  li.remove();
                } catch (failure) {
                  say(error, `The comment was not deleted. ${failure.message}`);
                }
              }),
          },
          "Delete",
        ),
      );
    }
    if (!mine && panel.canWrite) actions.append(flagControl(`comments/${comment.id}/flags/`, options.flag_reasons, "comment"));
    if (actions.childNodes.length) li.append(actions);
    return li;
  };

  const edit = (comment, li) => {
    const text = el("textarea", { name: "body", rows: "2", required: true, id: `edit-comment-${comment.id}`, "aria-label": "Your comment" });
    text.value = comment.body;
    const error = el("p", { class: "alert", role: "alert", hidden: true });
    const form = el(
      "form",
      { class: "stack edit-comment-form" },
      text,
      error,
      el("div", { class: "row" }, el("button", { type: "submit", class: "primary" }, "Save comment"), el("button", { type: "button", onclick: () => li.replaceWith(item(comment)) }, "Cancel")),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      busy([...form.querySelectorAll("button")], async () => {
        try {
          const { data } = await api(`claims/${claim.id}/comments/${comment.id}/`, { method: "PATCH", json: { body: text.value } });
          li.replaceWith(item(data));
        } catch (failure) {
          say(error, `The comment was not saved. ${failure.message}`);
        }
      });
    });
    li.replaceChildren(form);
    text.focus();
  };

  list.replaceChildren(...comments.map(item));
  const section = el("section", { "aria-labelledby": "comments-h", class: "panel-section" }, el("h3", { id: "comments-h" }, "Comments"), list);
  if (loadError) section.append(el("p", { class: "alert", role: "alert" }, `The comments could not be loaded. ${loadError.message}`));
  if (!panel.canWrite) return section;
  const body = el("textarea", { name: "body", rows: "2", required: true, id: "comment-body" });
  const error = el("p", { class: "alert", role: "alert", hidden: true });
  const form = el("form", { class: "stack", id: "comment-form", "aria-label": "Add a comment" }, el("div", { class: "field" }, el("label", { for: "comment-body" }, "Comment"), body), error, el("button", { type: "submit" }, "Add comment"));
  submitOnce(
    form,
    async (key) => {
      say(error, "");
      const { data } = await api(`claims/${claim.id}/comments/`, { method: "POST", json: { body: body.value }, key });
      list.append(item(data));
      form.reset();
    },
    (failure) => say(error, `The comment was not added. ${failure.message}`),
  );
  section.append(form);
  return section;
}

/** claims/{id}/history/ answers {claim, events}. */
export function historySection(history, loadError) {
  const section = el("section", { "aria-labelledby": "history-h", class: "panel-section" }, el("h3", { id: "history-h" }, "History"));
  if (loadError) {
    section.append(el("p", { class: "muted" }, `The history could not be loaded. ${loadError.message}`));
    return section;
  }
  section.append(el("ol", { class: "history", id: "history-list" }, ...history.events.map((event) => el("li", { dataset: { action: event.action } }, eventInWords(event)))));
  return section;
}
