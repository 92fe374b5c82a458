// Around the reader's text: the article's assignment in its header (editors) and the rating
// underlines of the legend, from the scale in use.

import { api, busy, el } from "./api.js";
import { gettext, interpolate, pgettext } from "./i18n.js";

/** Editors assign the article from its header (articles/{id}/assign/). */
export function articleAssign(box, article, assignees) {
  if (!assignees.length) {
    box.textContent = article.assignee ? interpolate(pgettext("article", "assigned to %(person)s"), { person: article.assignee.username }, true) : "";
    return;
  }
  const select = el(
    "select",
    { id: "article-assignee", name: "assignee" },
    el("option", { value: "" }, gettext("Nobody")),
    ...assignees.map((u) => el("option", { value: String(u.id) }, u.username)),
  );
  select.value = article.assignee ? String(article.assignee.id) : "";
  const button = el("button", { type: "button", id: "assign-article" }, gettext("Assign article"));
  const status = el("span", { role: "status", class: "small" });
  button.addEventListener("click", () =>
    busy([button, select], async () => {
      status.textContent = "";
      try {
        const { data } = await api(`articles/${article.id}/assign/`, {
          method: "POST",
          json: { assignee: select.value ? Number(select.value) : null },
        });
        status.textContent = data.assignee
          ? interpolate(pgettext("article", "Assigned to %(person)s."), { person: data.assignee.username }, true)
          : gettext("Unassigned.");
      } catch (error) {
        status.textContent = interpolate(gettext("Not assigned. %(error)s"), { error: error.message }, true);
      }
    }),
  );
  box.replaceChildren(el("label", { for: "article-assignee" }, gettext("Article assigned to")), " ", select, " ", button, " ", status);
}

/** The legend's rating underlines, from the scale in use. */
export function legendRatings(list, scale) {
  list.replaceChildren(
    ...scale.ratings.map((r) => el("li", {}, el("span", { class: `swatch underline rating-${r.slug}` }), r.label)),
  );
}
