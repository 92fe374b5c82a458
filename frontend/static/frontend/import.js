// Import page: start a job (file upload, URLs or a feed), then poll it until it ends and show
// its counts and its error report.

import { api, el, enableForms, FINISHED, items, jobFollower, say } from "./api.js";

const HISTORY_SIZE = 10;
const SOURCE_WORDS = { urls: "Web addresses", feed: "Feed" };
const SHORT_STATUS = {
  queued: "Waiting",
  running: "Importing",
  succeeded: "Done",
  partial: "Done, some records failed",
  failed: "Failed",
  cancelled: "Cancelled",
};

const STATUS_WORDS = {
  queued: "Waiting for a worker…",
  running: "Importing…",
  succeeded: "Finished: every record was imported.",
  partial: "Finished, but some records could not be imported (see below).",
  failed: "The import failed.",
  cancelled: "The import was cancelled.",
};

const main = document.getElementById("main");
const errorBox = document.getElementById("import-error");
const jobBox = document.getElementById("import-job");
const $ = (id) => document.getElementById(id);

function showJob(job) {
  jobBox.hidden = false;
  $("job-id").textContent = `#${job.id}`;
  const done = (job.created || 0) + (job.duplicates || 0) + (job.failed || 0);
  const progress = $("job-progress");
  if (job.total) {
    progress.max = job.total;
    progress.value = Math.min(done, job.total);
  } else if (FINISHED.has(job.status)) {
    progress.max = 1;
    progress.value = 1;
  } else {
    progress.removeAttribute("value"); // indeterminate until the total is known
  }
  let words = STATUS_WORDS[job.status] || job.status;
  if (job.status === "running" && job.total) words = `Importing… ${done} of ${job.total} records`;
  if (job.status === "failed" && job.errors && job.errors.length && !job.created) {
    words = `The import failed: ${job.errors[0].message}`;
  }
  $("job-status").textContent = words;
  $("job-status").dataset.status = job.status;
  $("job-total").textContent = job.total ?? "?";
  $("job-created").textContent = job.created || 0;
  $("job-duplicates").textContent = job.duplicates || 0;
  $("job-failed").textContent = job.failed || 0;
  $("job-cancel").hidden = FINISHED.has(job.status);
  if (FINISHED.has(job.status)) {
    if ((job.created || 0) + (job.duplicates || 0) > 0) {
      $("job-articles").hidden = false;
      $("job-articles-link").href = `${main.dataset.homeUrl}?import=${job.id}#articles-h`;
    }
    showErrors(job);
    loadHistory();
  }
}

/** The newest imports this person may see (editors: everyone's), each a link to follow it. */
async function loadHistory() {
  let jobs;
  try {
    const { data } = await api(`imports/?page_size=${HISTORY_SIZE}`);
    jobs = items(data);
  } catch (error) {
    say(errorBox, `The recent imports could not be loaded. ${error.message}`);
    return;
  }
  $("import-history-empty").hidden = jobs.length > 0;
  $("import-history-table").hidden = jobs.length === 0;
  $("import-history-body").replaceChildren(
    ...jobs.map((job) =>
      el(
        "tr",
        { "data-job": String(job.id) },
        el("td", {}, el("a", { href: `#job-${job.id}`, onclick: follow(job.id) }, `#${job.id}`)),
        el("td", {}, job.original_name || SOURCE_WORDS[job.format] || job.format || "—"),
        el("td", { "data-status": job.status }, SHORT_STATUS[job.status] || job.status),
        el("td", {}, job.created || 0),
        el("td", {}, job.duplicates || 0),
        el("td", {}, job.failed || 0),
        el("td", {}, new Date(job.created_at).toLocaleString()),
      ),
    ),
  );
}

function follow(id) {
  return (event) => {
    event.preventDefault();
    history.replaceState(null, "", `#job-${id}`);
    poll(id);
  };
}

async function showErrors(job) {
  let errors = job.errors || [];
  if (job.failed && errors.length < job.failed) {
    try {
      const { data } = await api(`imports/${job.id}/errors/`);
      errors = Array.isArray(data) ? data : (data?.errors) || errors;
    } catch {
      // The job row's own list is still worth showing.
    }
  }
  const body = $("job-errors-body");
  body.replaceChildren(
    ...errors.map((error) =>
      el("tr", {}, el("td", {}, error.line != null ? `line ${error.line}` : error.record != null ? `record ${error.record}` : "—"), el("td", {}, error.message || "")),
    ),
  );
  $("job-errors").hidden = errors.length === 0;
}

const poll = jobFollower("imports/", showJob, (error) =>
  say(errorBox, `Could not follow the import: ${error.message}`),
);

async function start(request, button) {
  say(errorBox, "");
  button.disabled = true;
  try {
    const { data } = await api("imports/", { method: "POST", ...request });
    showJob(data);
    history.replaceState(null, "", `#job-${data.id}`);
    poll(data.id);
  } catch (error) {
    say(errorBox, `The import could not start. ${error.message}`);
  } finally {
    button.disabled = false;
  }
}

$("import-file-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const file = $("import-file").files[0];
  if (!file) return say(errorBox, "Choose a file to upload first.");
  const data = new FormData();
  data.append("file", file);
  if ($("import-format").value) data.append("format", $("import-format").value);
  start({ form: data }, form.querySelector("button[type=submit]"));
});

$("import-urls-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const urls = $("import-urls").value.split(/\s+/).filter(Boolean);
  const feed = $("import-feed").value.trim();
  if (!urls.length && !feed) return say(errorBox, "Paste at least one web address or a feed address.");
  const json = feed && !urls.length ? { feed } : { urls };
  if (feed && urls.length) return say(errorBox, "Import either web addresses or a feed, not both at once.");
  start({ json }, form.querySelector("button[type=submit]"));
});

$("job-cancel").addEventListener("click", async () => {
  const id = $("job-id").textContent.slice(1);
  try {
    await api(`imports/${id}/cancel/`, { method: "POST" });
    poll(id);
  } catch (error) {
    say(errorBox, `The import could not be cancelled. ${error.message}`);
  }
});

enableForms($("import-file-form"), $("import-urls-form"));

// Coming back to the page (#job-12) resumes following that job.
const resumed = location.hash.match(/^#job-(\d+)$/);
if (resumed) poll(resumed[1]);
loadHistory();
