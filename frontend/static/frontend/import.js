// Import page: start a job (file upload, URLs or a feed), then poll it until it ends and show
// its counts and its error report; below, the past imports, newest first, a page at a time.

import { api, el, enableForms, FINISHED, jobFollower, say } from "./api.js";
import { formatNumber, gettext, interpolate } from "./i18n.js";
import { jobHistory, showProgress, stateBadge, when } from "./jobs.js";

const HISTORY_SIZE = 10;
const SOURCE_WORDS = { urls: gettext("Web addresses"), feed: gettext("Feed") };
// The pasted addresses travel as a list file (format "urls"), so the job's errors name the line
// of the box, exactly as the check below does.
const PASTED_NAME = "pasted web addresses.txt";

const STATUS_WORDS = {
  queued: gettext("Waiting for a worker…"),
  running: gettext("Importing…"),
  succeeded: gettext("Finished: every record was imported."),
  partial: gettext("Finished, but some records could not be imported (see below)."),
  failed: gettext("The import failed."),
  cancelled: gettext("The import was cancelled."),
};

const main = document.getElementById("main");
const errorBox = document.getElementById("import-error");
const jobBox = document.getElementById("import-job");
const $ = (id) => document.getElementById(id);
let shownJob = null;

function showJob(job) {
  shownJob = job;
  jobBox.hidden = false;
  $("job-id").textContent = `#${job.id}`;
  const done = job.created + job.updated + job.duplicates + job.failed;
  showProgress($("job-progress"), { status: job.status, done, total: job.total });
  let words = STATUS_WORDS[job.status] || job.status;
  if (job.status === "running" && job.total) {
    words = interpolate(gettext("Importing… %(done)s of %(total)s records"), { done: formatNumber(done), total: formatNumber(job.total) }, true);
  }
  if (job.status === "failed" && job.errors.length && !job.created) {
    words = interpolate(gettext("The import failed: %(error)s"), { error: job.errors[0].message }, true);
  }
  $("job-status").textContent = words;
  $("job-status").dataset.status = job.status;
  $("job-state").replaceChildren(stateBadge(job.status));
  $("job-total").textContent = job.total == null ? "?" : formatNumber(job.total);
  $("job-created").textContent = formatNumber(job.created);
  $("job-updated").textContent = formatNumber(job.updated);
  $("job-duplicates").textContent = formatNumber(job.duplicates);
  $("job-failed").textContent = formatNumber(job.failed);
  // Only a job that has not ended can be cancelled.
  $("job-cancel").hidden = FINISHED.has(job.status);
  if (FINISHED.has(job.status)) {
    if (job.created + job.updated + job.duplicates > 0) {
      $("job-articles").hidden = false;
      $("job-articles-link").href = `${main.dataset.homeUrl}?import=${job.id}#articles-h`;
    }
    showErrors(job);
    reloadHistory();
  }
}

const reloadHistory = jobHistory({
  path: "imports/",
  pageSize: HISTORY_SIZE,
  table: $("import-history-table"),
  empty: $("import-history-empty"),
  pager: $("import-history-pager"),
  onError: (error) => say(errorBox, interpolate(gettext("The past imports could not be loaded. %(error)s"), { error: error.message }, true)),
  row: (job) => [
    el("td", {}, el("a", { href: `#job-${job.id}`, onclick: follow(job.id) }, `#${job.id}`)),
    el("td", {}, job.original_name || SOURCE_WORDS[job.format] || job.format || "—"),
    el("td", {}, stateBadge(job.status)),
    el("td", { class: "number" }, formatNumber(job.created)),
    el("td", { class: "number" }, formatNumber(job.updated)),
    el("td", { class: "number" }, formatNumber(job.duplicates)),
    el("td", { class: "number" }, formatNumber(job.failed)),
    el("td", {}, when(job.created_at)),
  ],
});

function follow(id) {
  return (event) => {
    event.preventDefault();
    history.replaceState(null, "", `#job-${id}`);
    poll(id);
    jobBox.scrollIntoView({ block: "nearest" });
  };
}

function where(error) {
  const place =
    error.line != null
      ? interpolate(gettext("line %(number)s"), { number: error.line }, true)
      : error.record != null
        ? interpolate(gettext("record %(number)s"), { number: error.record }, true)
        : "";
  return [error.file, place].filter(Boolean).join(", ") || "—";
}

async function showErrors(job) {
  let errors = job.errors;
  if (job.failed > errors.length) {
    try {
      ({ data: errors } = await api(`imports/${job.id}/errors/`));
    } catch {
      // The job row's own list is still worth showing.
    }
  }
  $("job-errors-body").replaceChildren(
    ...errors.map((error) => el("tr", {}, el("td", {}, where(error)), el("td", {}, error.message || ""))),
  );
  $("job-errors").hidden = errors.length === 0;
}

const poll = jobFollower("imports/", showJob, (error) =>
  say(errorBox, interpolate(gettext("Could not follow the import: %(error)s"), { error: error.message }, true)),
);

async function start(request, button) {
  say(errorBox, "");
  button.disabled = true;
  try {
    const { data } = await api("imports/", { method: "POST", ...request });
    $("job-articles").hidden = true;
    showJob(data);
    history.replaceState(null, "", `#job-${data.id}`);
    poll(data.id);
    reloadHistory();
  } catch (error) {
    say(errorBox, interpolate(gettext("The import could not start. %(error)s"), { error: error.message }, true));
  } finally {
    button.disabled = false;
  }
}

/**
 * The box's lines checked before anything starts: one web address a line; blank lines and
 * `#` comments are skipped, as the importer skips them. Returns [addresses, problems].
 */
export function checkLines(text) {
  const addresses = [];
  const problems = [];
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const number = index + 1;
    if (/\s/.test(line)) {
      problems.push(interpolate(gettext("Line %(number)s: put one web address on each line (this one has a space)."), { number }, true));
      return;
    }
    let url = null;
    try {
      url = new URL(line);
    } catch {
      // not an absolute URL
    }
    if (!url || !["http:", "https:"].includes(url.protocol)) {
      problems.push(interpolate(gettext("Line %(number)s: “%(line)s” is not a web address starting with http:// or https://."), { number, line }, true));
      return;
    }
    addresses.push(line);
  });
  return [addresses, problems];
}

function sayProblems(problems) {
  errorBox.replaceChildren(
    el("p", {}, gettext("Nothing was imported. Correct these lines and try again:")),
    el("ul", {}, ...problems.map((problem) => el("li", {}, problem))),
  );
  errorBox.hidden = false;
  errorBox.dataset.kind = "error";
}

$("import-file-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const file = $("import-file").files[0];
  if (!file) return say(errorBox, gettext("Choose a file to upload first."));
  const data = new FormData();
  data.append("file", file);
  if ($("import-format").value) data.append("format", $("import-format").value);
  start({ form: data }, form.querySelector("button[type=submit]"));
});

$("import-urls-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const text = $("import-urls").value;
  const [addresses, problems] = checkLines(text);
  const feed = $("import-feed").value.trim();
  if (problems.length) return sayProblems(problems);
  if (!addresses.length && !feed) return say(errorBox, gettext("Paste at least one web address or a feed address."));
  if (feed && addresses.length) return say(errorBox, gettext("Import either web addresses or a feed, not both at once."));
  if (feed) return start({ json: { feed } }, form.querySelector("button[type=submit]"));
  const data = new FormData();
  data.append("file", new File([text], PASTED_NAME, { type: "text/plain" }));
  data.append("format", "urls");
  start({ form: data }, form.querySelector("button[type=submit]"));
});

$("job-cancel").addEventListener("click", async (event) => {
  const button = event.currentTarget;
  button.disabled = true;
  try {
    const { data } = await api(`imports/${shownJob.id}/cancel/`, { method: "POST" });
    showJob(data);
    poll(data.id);
  } catch (error) {
    say(errorBox, interpolate(gettext("The import could not be cancelled. %(error)s"), { error: error.message }, true));
  } finally {
    button.disabled = false;
  }
});

enableForms($("import-file-form"), $("import-urls-form"));

// Coming back to the page (#job-12) resumes following that job.
const resumed = location.hash.match(/^#job-(\d+)$/);
if (resumed) poll(resumed[1]);
reloadHistory();
