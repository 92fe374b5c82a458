// Import and export jobs on their pages: a job's state in colour and in words, its progress bar,
// and the paged list of past jobs (newest first, the API's cursor pages).

import { api, el, FINISHED, items } from "./api.js";
import { formatDateTime, pgettext } from "./i18n.js";

/** A job's state in words; the badge's colour says the same (never colour alone). */
export const STATE_WORDS = {
  queued: pgettext("job state", "Waiting"),
  running: pgettext("job state", "Running"),
  succeeded: pgettext("job state", "Done"),
  partial: pgettext("job state", "Done, with errors"),
  failed: pgettext("job state", "Failed"),
  cancelled: pgettext("job state", "Cancelled"),
};

export function stateBadge(status) {
  return el("span", { class: `badge job-${status}`, "data-status": status }, STATE_WORDS[status] || status);
}

/**
 * Set a job's <progress>: `done` of `total`, full once finished; its colour follows the state
 * (a failed or cancelled job's bar is red or grey, never the blue of a success).
 */
export function showProgress(progress, { status, done, total }) {
  progress.dataset.status = status;
  if (total) {
    progress.max = total;
    progress.value = Math.min(done, total);
  } else if (FINISHED.has(status)) {
    progress.max = 1;
    progress.value = status === "succeeded" || status === "partial" ? 1 : 0;
  } else {
    progress.removeAttribute("value"); // indeterminate until the total is known
  }
  if (status === "failed" && !progress.value) {
    // An empty bar says nothing: a failed job shows a full bar in the failure colour.
    progress.max = 1;
    progress.value = 1;
  }
}

/** When a job started, in the page's language ("2 Dec 14:02"); a dash for none. */
export function when(iso) {
  return formatDateTime(iso) || "—";
}

/**
 * The past jobs at `path` (e.g. "imports/"), a page at a time, into `table` (a <table> with a
 * <tbody>); `row(job)` makes the cells. `pager` holds "Newer" / "Older" buttons; `empty` is shown
 * when there is no job at all. Returns `reload()` (back to the first page).
 */
export function jobHistory({ path, pageSize, table, empty, pager, row, onError }) {
  const body = table.tBodies[0];
  const newer = pager.querySelector("[data-page=newer]");
  const older = pager.querySelector("[data-page=older]");
  let links = { next: null, previous: null };
  let firstPage = true;

  async function load(url) {
    const pressed = document.activeElement; // read now: a hidden button may lose focus meanwhile
    let data;
    try {
      ({ data } = await api(url));
    } catch (error) {
      onError(error);
      return;
    }
    const jobs = items(data);
    links = { next: data.next, previous: data.previous };
    firstPage = !links.previous;
    body.replaceChildren(...jobs.map((job) => el("tr", { "data-job": String(job.id) }, ...row(job))));
    table.hidden = jobs.length === 0;
    empty.hidden = !(jobs.length === 0 && firstPage);
    newer.hidden = !links.previous;
    older.hidden = !links.next;
    pager.hidden = newer.hidden && older.hidden;
    // On the first or last page the pressed button hides: keep keyboard focus on the other one.
    if ((pressed === newer || pressed === older) && pressed.hidden) (pressed === newer ? older : newer).focus();
  }

  // The API's page links are absolute; the API door takes the path.
  const local = (link) => {
    const url = new URL(link, location.href);
    return url.pathname + url.search;
  };
  newer.addEventListener("click", () => load(local(links.previous)));
  older.addEventListener("click", () => load(local(links.next)));
  const first = `${path}?page_size=${pageSize}`;
  // A job that ends refreshes the list, unless the person is reading an older page.
  return function reload() {
    if (firstPage) load(first);
  };
}
