// My work, for editors: mark an article's status by hand from the articles table (it also moves
// by itself as its claims are marked and decided).

import { api, enableForms } from "./api.js";
import { gettext } from "./i18n.js";

const forms = [...document.querySelectorAll("form.status-form")];

for (const form of forms) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    const note = form.querySelector("[role=status]");
    const select = form.elements.status;
    button.disabled = true;
    note.textContent = "";
    try {
      const { data } = await api(`articles/${form.dataset.article}/status/`, {
        method: "POST",
        json: { status: select.value },
      });
      select.value = data.status;
      note.dataset.kind = "ok";
      note.textContent = gettext("Saved.");
    } catch (error) {
      note.dataset.kind = "error";
      note.textContent = error.message;
    } finally {
      button.disabled = false;
    }
  });
}

enableForms(...forms);
