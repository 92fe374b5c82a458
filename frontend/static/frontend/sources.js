// The claim panel's sources: the list (with edit, remove and flag), and the form to cite one.

import { api, busy, el, say, submitOnce } from "./api.js";
import { flagControl } from "./flag.js";
import { gettext, interpolate, pgettext } from "./i18n.js";
import { who } from "./words.js";

function field(id, label, control) {
  control.id = id;
  return el("div", { class: "field" }, el("label", { for: id }, label), control);
}

/** Inputs for a source's fields, filled from `source` (or empty). */
function sourceInputs(prefix, stances, source = {}) {
  const inputs = {
    url: el("input", { type: "url", name: "url", required: true, placeholder: "https://" }),
    title: el("input", { type: "text", name: "title", maxlength: "500" }),
    publisher: el("input", { type: "text", name: "publisher", maxlength: "255" }),
    quote: el("textarea", { name: "quote", rows: "2" }),
    stance: el("select", { name: "stance" }, ...stances.map((s) => el("option", { value: s.value }, s.label))),
  };
  for (const [name, input] of Object.entries(inputs)) input.value = source[name] ?? "";
  if (!source.stance) inputs.stance.value = "context";
  const fields = [
    field(`${prefix}-url`, gettext("Source address (URL)"), inputs.url),
    field(`${prefix}-title`, gettext("Title"), inputs.title),
    field(`${prefix}-publisher`, gettext("Publisher"), inputs.publisher),
    field(`${prefix}-quote`, gettext("Quote from the source"), inputs.quote),
    field(`${prefix}-stance`, gettext("Stance"), inputs.stance),
  ];
  const values = () => ({
    url: inputs.url.value.trim(),
    title: inputs.title.value,
    publisher: inputs.publisher.value,
    quote: inputs.quote.value,
    stance: inputs.stance.value,
  });
  return { inputs, fields, values };
}

/**
 * The sources section. `panel` gives the claim, the user, the form options, whether the claim
 * is frozen, and `changed()` to call after a write (it reloads what the verdict ETag covers).
 */
export function sourcesSection(panel, sources, loadError) {
  const { claim, me, options } = panel;
  const stances = options.stances;
  const stanceLabel = new Map(stances.map((s) => [s.value, s.label]));
  const frozen = panel.frozen();
  const heading = el("h3", { id: "sources-h" }, interpolate(gettext("Sources (%(count)s)"), { count: sources.length }, true));
  const list = el("ul", { class: "plain-list sources", id: "sources-list" });

  const item = (source) => {
    const mine = source.created_by?.id === me.id;
    const canChange = !frozen && (mine || panel.isEditor);
    const error = el("p", { class: "alert", role: "alert", hidden: true });
    const li = el(
      "li",
      { dataset: { source: String(source.id) } },
      el("a", { href: source.url, rel: "noopener noreferrer", target: "_blank" }, source.title || source.url),
      " ",
      el("span", { class: `badge stance-${source.stance}` }, stanceLabel.get(source.stance) || source.stance),
      source.is_hidden ? el("span", { class: "badge hidden-badge" }, pgettext("source", "hidden by a moderator")) : null,
      source.publisher ? el("span", { class: "muted" }, ` ${source.publisher}`) : null,
      source.quote ? el("blockquote", { class: "small" }, source.quote) : null,
      el("p", { class: "muted small" }, interpolate(gettext("Added by %(person)s"), { person: who(source.created_by) }, true)),
      error,
    );
    const actions = el("div", { class: "item-actions" });
    if (canChange) {
      actions.append(
        el("button", { type: "button", class: "edit-source", onclick: () => edit(source, li) }, gettext("Edit")),
        el(
          "button",
          {
            type: "button",
            class: "delete-source",
            onclick: (event) =>
              busy(event.currentTarget, async () => {
                if (!window.confirm(interpolate(gettext("Remove the source “%(source)s”?"), { source: source.title || source.url }, true))) return;
                try {
                  await api(`claims/${claim.id}/sources/${source.id}/`, { method: "DELETE" });
                  await panel.changed();
                } catch (failure) {
                  say(error, interpolate(gettext("The source was not removed. %(error)s"), { error: failure.message }, true));
                }
              }),
          },
          gettext("Remove"),
        ),
      );
    }
    if (!mine && options.flag_reasons.length && panel.canWrite) actions.append(flagControl(`sources/${source.id}/flags/`, options.flag_reasons, "source"));
    if (actions.childNodes.length) li.append(actions);
    return li;
  };

  const edit = (source, li) => {
    const { fields, values } = sourceInputs(`edit-source-${source.id}`, stances, source);
    const error = el("p", { class: "alert", role: "alert", hidden: true });
    const form = el(
      "form",
      { class: "stack edit-source-form", "aria-label": gettext("Edit the source") },
      ...fields,
      error,
      el("div", { class: "row" }, el("button", { type: "submit", class: "primary" }, gettext("Save source")), el("button", { type: "button", onclick: () => li.replaceWith(item(source)) }, gettext("Cancel"))),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      busy([...form.querySelectorAll("button")], async () => {
        try {
          // The source's ETag, read now: an edit never overwrites someone else's.
          const { etag } = await api(`claims/${claim.id}/sources/${source.id}/`);
          await api(`claims/${claim.id}/sources/${source.id}/`, { method: "PATCH", json: values(), etag });
          await panel.changed();
        } catch (failure) {
          say(error, interpolate(gettext("The source was not saved. %(error)s"), { error: failure.message }, true));
        }
      });
    });
    li.replaceChildren(form);
    form.querySelector("input").focus();
  };

  list.replaceChildren(...sources.map(item));
  if (!sources.length) list.replaceChildren(el("li", { class: "muted" }, gettext("No source yet: a verdict needs at least one.")));
  const loadAlert = el("p", { class: "alert", role: "alert", hidden: true });
  if (loadError) say(loadAlert, interpolate(gettext("The sources could not be loaded. %(error)s"), { error: loadError.message }, true));
  const section = el("section", { "aria-labelledby": "sources-h", class: "panel-section" }, heading, loadAlert, list);
  if (frozen) {
    section.append(el("p", { class: "muted", id: "sources-frozen" }, panel.frozenNote()));
    return section;
  }
  if (!panel.canWrite) return section;
  const { fields, values } = sourceInputs("source", stances);
  const error = el("p", { class: "alert", role: "alert", hidden: true });
  const form = el("form", { class: "stack", id: "source-form", "aria-label": gettext("Add a source") }, ...fields, error, el("button", { type: "submit" }, gettext("Add source")));
  submitOnce(
    form,
    async (key) => {
      say(error, "");
      await api(`claims/${claim.id}/sources/`, { method: "POST", json: values(), key });
      form.reset();
      await panel.changed();
    },
    (failure) => say(error, interpolate(gettext("The source was not added. %(error)s"), { error: failure.message }, true)),
  );
  section.append(form);
  return section;
}
