// Follows a background job (templates/courses/import_progress.html) without reloading the
// page: asks the job's progress URL every two seconds, updates the bar and the rows, and
// loads the page again once the job has finished. Without JavaScript the page's
// <noscript><meta http-equiv="refresh"></noscript> reloads it every few seconds instead.
const box = document.querySelector("[data-job-progress]");

function number(value) {
  return Number(value).toLocaleString("en-GB");
}

function show(job) {
  const bar = box.querySelector("[data-job-bar]");
  const rows = box.querySelector("[data-job-rows]");
  box.querySelector("[data-job-status]").textContent = job.status_label;
  box.querySelector("[data-job-stage]").textContent = job.stage;
  if (job.rows_total) {
    bar.max = job.rows_total;
    bar.value = job.rows_done;
    rows.textContent = `${number(job.rows_done)} of ${number(job.rows_total)} rows (${job.percent}%)`;
  } else {
    rows.textContent = `${number(job.rows_done)} rows so far`;
  }
}

async function poll() {
  try {
    const response = await fetch(box.dataset.jobProgress, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (response.ok) {
      const job = await response.json();
      if (job.finished) {
        window.location.replace(box.dataset.jobPage);
        return;
      }
      show(job);
    }
  } catch (error) {
    // A dropped request is tried again on the next tick.
  }
  window.setTimeout(poll, 2000);
}

if (box) {
  window.setTimeout(poll, 1000);
}
