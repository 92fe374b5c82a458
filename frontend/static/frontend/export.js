// Export page: the number of matching claims as the filters change, an export job started with
// a format and filters, followed to its download; below, the past exports, a page at a time.

import { api, el, enableForms, FINISHED, items, jobFollower, say } from "./api.js";
import { formatNumber, gettext, interpolate, ngettext } from "./i18n.js";
import { jobHistory, showProgress, stateBadge, when } from "./jobs.js";

const $ = (id) => document.getElementById(id);
const errorBox = $("export-error");
const form = $("export-form");
const startButton = form.querySelector("button[type=submit]");
const HISTORY_SIZE = 10;
const COUNT_DELAY_MS = 250;
const FORMAT_WORDS = {
  jsonl: gettext("JSON lines"),
  csv: "CSV",
  claimreview: "ClaimReview",
  webannotation: gettext("Web Annotations"),
};
// The filters' names as the export form says them.
const FILTER_WORDS = {
  rating: gettext("rating"),
  language: gettext("language"),
  publisher: gettext("publisher"),
  updated_since: gettext("updated since"),
};

const ready = (job) => job.status === "succeeded" || job.status === "partial";

async function loadRatings() {
  try {
    const { data } = await api("rating-scales/");
    const scales = items(data);
    const scale = scales.find((s) => s.is_default) || scales[0];
    for (const rating of scale?.ratings || []) {
      $("export-rating").append(el("option", { value: rating.slug }, rating.label));
    }
  } catch (error) {
    say(errorBox, interpolate(gettext("The ratings could not be loaded (%(error)s); export without that filter."), { error: error.message }, true));
  }
}

/** The form as the API takes it: the format and the filters that are filled in. */
function request() {
  const body = { format: $("export-format").value };
  for (const name of ["rating", "language", "publisher", "updated_since"]) {
    const value = form.elements[name].value.trim();
    // A date from the picker is midnight UTC for the API's ISO 8601 filter.
    if (value) body[name] = name === "updated_since" ? `${value}T00:00:00Z` : value;
  }
  return body;
}

let counting = 0;
/** Ask how many claims match; say it, and keep "Start export" off when nothing does. */
async function count() {
  const ticket = ++counting;
  const box = $("export-match-count");
  box.dataset.state = "counting";
  try {
    const { data } = await api("exports/count/", { method: "POST", json: request() });
    if (ticket !== counting) return null; // a newer question is on its way
    box.textContent = data.count
      ? interpolate(
          ngettext("%(count)s published claim matches.", "%(count)s published claims match.", data.count),
          { count: formatNumber(data.count) },
          true,
        )
      : gettext("Nothing matches these filters: there is nothing to export.");
    box.dataset.state = data.count ? "some" : "none";
    startButton.disabled = data.count === 0;
    return data.count;
  } catch (error) {
    if (ticket !== counting) return null;
    box.textContent = "";
    box.dataset.state = "error";
    startButton.disabled = false; // the export itself will say what is wrong
    say(errorBox, interpolate(gettext("The filters were not accepted. %(error)s"), { error: error.message }, true));
    return null;
  }
}

let countTimer = null;
function countSoon() {
  say(errorBox, "");
  clearTimeout(countTimer);
  countTimer = setTimeout(count, COUNT_DELAY_MS);
}

function showJob(job) {
  $("export-job").hidden = false;
  $("export-job-id").textContent = `#${job.id}`;
  $("export-job-state").replaceChildren(stateBadge(job.status));
  const done = job.exported;
  showProgress($("export-progress"), { status: job.status, done, total: job.total });
  const nothing = FINISHED.has(job.status) && ready(job) && done === 0;
  const words = {
    queued: gettext("Waiting for a worker…"),
    running: job.total
      ? interpolate(gettext("Writing… %(done)s of %(total)s claims"), { done: formatNumber(done), total: formatNumber(job.total) }, true)
      : gettext("Writing…"),
    succeeded: gettext("Ready."),
    partial: gettext("Ready, but some claims could not be written."),
    failed: job.errors.length
      ? interpolate(gettext("The export failed: %(error)s"), { error: job.errors[0].message }, true)
      : gettext("The export failed."),
    cancelled: gettext("The export was cancelled."),
  };
  $("export-status").textContent = nothing ? gettext("Nothing matched these filters, so there is no file.") : words[job.status] || job.status;
  $("export-status").dataset.status = job.status;
  $("export-count").textContent =
    FINISHED.has(job.status) && !nothing
      ? interpolate(ngettext("%(count)s claim exported.", "%(count)s claims exported.", done), { count: formatNumber(done) }, true)
      : "";
  $("export-download").hidden = !(ready(job) && !nothing);
  if (ready(job)) $("export-download-link").href = `/api/v1/exports/${job.id}/download/`;
  if (FINISHED.has(job.status)) reloadHistory();
}

function filtersInWords(filters) {
  const parts = Object.entries(filters || {}).map(([name, value]) => `${FILTER_WORDS[name] || name.replace(/_/g, " ")}: ${value}`);
  return parts.length ? parts.join(", ") : gettext("all published claims");
}

const reloadHistory = jobHistory({
  path: "exports/",
  pageSize: HISTORY_SIZE,
  table: $("export-history-table"),
  empty: $("export-history-empty"),
  pager: $("export-history-pager"),
  onError: (error) => say(errorBox, interpolate(gettext("The past exports could not be loaded. %(error)s"), { error: error.message }, true)),
  row: (job) => [
    el("td", {}, el("a", { href: `#export-${job.id}`, onclick: follow(job.id) }, `#${job.id}`)),
    el("td", {}, FORMAT_WORDS[job.format] || job.format, job.scheduled ? ` ${gettext("(nightly)")}` : ""),
    el("td", {}, filtersInWords(job.filters)),
    el("td", {}, stateBadge(job.status)),
    el("td", { class: "number" }, formatNumber(job.exported)),
    el("td", {}, when(job.created_at)),
    el(
      "td",
      {},
      ready(job) && job.exported > 0
        ? el("a", { href: `/api/v1/exports/${job.id}/download/`, download: true }, gettext("Download"))
        : ready(job)
          ? gettext("Nothing matched")
          : "—",
    ),
  ],
});

function follow(id) {
  return (event) => {
    event.preventDefault();
    history.replaceState(null, "", `#export-${id}`);
    poll(id);
    $("export-job").scrollIntoView({ block: "nearest" });
  };
}

const poll = jobFollower("exports/", showJob, (error) =>
  say(errorBox, interpolate(gettext("Could not follow the export: %(error)s"), { error: error.message }, true)),
);

form.addEventListener("input", countSoon);
form.addEventListener("change", countSoon);
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  say(errorBox, "");
  startButton.disabled = true;
  clearTimeout(countTimer);
  // Count again at the moment of starting: "nothing matches" instead of an empty file.
  const matching = await count();
  if (matching === 0) return;
  startButton.disabled = true;
  try {
    const { data } = await api("exports/", { method: "POST", json: request() });
    showJob(data);
    history.replaceState(null, "", `#export-${data.id}`);
    poll(data.id);
    reloadHistory();
  } catch (error) {
    say(errorBox, interpolate(gettext("The export could not start. %(error)s"), { error: error.message }, true));
  } finally {
    startButton.disabled = false;
  }
});

enableForms(form);
loadRatings();
count();
reloadHistory();
const resumed = location.hash.match(/^#export-(\d+)$/);
if (resumed) poll(resumed[1]);
