// Export page: start an export job with a format and filters, follow it, offer the download.

import { api, el, enableForms, FINISHED, items, jobFollower, say } from "./api.js";

const $ = (id) => document.getElementById(id);
const errorBox = $("export-error");

async function loadRatings() {
  try {
    const { data } = await api("rating-scales/");
    const scales = items(data);
    const scale = scales.find((s) => s.is_default) || scales[0];
    for (const rating of (scale?.ratings) || []) {
      $("export-rating").append(el("option", { value: rating.slug }, rating.label));
    }
  } catch (error) {
    say(errorBox, `The ratings could not be loaded (${error.message}); export without that filter.`);
  }
}

function showJob(job) {
  $("export-job").hidden = false;
  $("export-job-id").textContent = `#${job.id}`;
  const progress = $("export-progress");
  const done = job.exported ?? job.created ?? 0;
  if (job.total) {
    progress.max = job.total;
    progress.value = Math.min(done, job.total);
  } else if (FINISHED.has(job.status)) {
    progress.max = 1;
    progress.value = 1;
  } else {
    progress.removeAttribute("value");
  }
  const words = {
    queued: "Waiting for a worker…",
    running: job.total ? `Writing… ${done} of ${job.total} claims` : "Writing…",
    succeeded: "Ready.",
    partial: "Ready, but some claims could not be written.",
    failed: `The export failed${job.errors?.length ? `: ${job.errors[0].message}` : "."}`,
    cancelled: "The export was cancelled.",
  };
  $("export-status").textContent = words[job.status] || job.status;
  $("export-status").dataset.status = job.status;
  $("export-count").textContent = FINISHED.has(job.status) ? `${done} claim${done === 1 ? "" : "s"} exported.` : "";
  const ready = job.status === "succeeded" || job.status === "partial";
  $("export-download").hidden = !ready;
  if (ready) $("export-download-link").href = `/api/v1/exports/${job.id}/download/`;
}

const poll = jobFollower("exports/", showJob, (error) =>
  say(errorBox, `Could not follow the export: ${error.message}`),
);

$("export-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say(errorBox, "");
  const button = event.currentTarget.querySelector("button[type=submit]");
  const filters = {};
  for (const name of ["rating", "language", "publisher", "updated_since"]) {
    const value = event.currentTarget.elements[name].value.trim();
    // A date from the picker is midnight UTC for the API's ISO 8601 filter.
    if (value) filters[name] = name === "updated_since" ? `${value}T00:00:00Z` : value;
  }
  button.disabled = true;
  try {
    const { data } = await api("exports/", {
      method: "POST",
      json: { format: $("export-format").value, ...filters },
    });
    showJob(data);
    history.replaceState(null, "", `#export-${data.id}`);
    poll(data.id);
  } catch (error) {
    say(errorBox, `The export could not start. ${error.message}`);
  } finally {
    button.disabled = false;
  }
});

enableForms($("export-form"));
loadRatings();
const resumed = location.hash.match(/^#export-(\d+)$/);
if (resumed) poll(resumed[1]);
