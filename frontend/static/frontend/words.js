// Dates, people and audit events in words, the same way everywhere in the reader.

const MONTH = new Intl.DateTimeFormat("en-GB", { month: "short" });

/** "2 Dec 14:02" (with the year when it is not this year). */
export function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n) => String(n).padStart(2, "0");
  const year = date.getFullYear() === new Date().getFullYear() ? "" : ` ${date.getFullYear()}`;
  return `${date.getDate()} ${MONTH.format(date)}${year} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A user reference from the API ({id, username, name}) as a name. */
export function who(user) {
  return user ? user.username : "someone";
}

// AuditEvent.action -> what happened, in words (the actor follows: "… by eddie").
const EVENTS = {
  "claim.created": "Claim marked",
  "claim.updated": "Claim changed",
  "claim.deleted": "Claim deleted",
  "claim.corrected": "Correction applied to the published claim",
  "claim.linked": "Linked to an earlier fact-check",
  "claim.hidden": "Claim hidden",
  "claim.unhidden": "Claim shown again",
  "source.created": "Source added",
  "source.updated": "Source edited",
  "source.deleted": "Source removed",
  "source.hidden": "Source hidden",
  "source.unhidden": "Source shown again",
  "comment.created": "Comment added",
  "comment.updated": "Comment edited",
  "comment.deleted": "Comment deleted",
  "comment.hidden": "Comment hidden",
  "comment.unhidden": "Comment shown again",
  "verdict.submitted": "Verdict submitted",
  "verdict.updated": "Verdict revised",
  "verdict.withdrawn": "Verdict withdrawn",
  "verdict.approved": "Verdict approved",
  "verdict.rejected": "Verdict rejected",
  "verdict.retracted": "Verdict retracted",
  "flag.created": "Flagged for the moderators",
  "flag.dismissed": "Flag dismissed",
};

const FIELDS = { start: "span", end: "span", text: "wording", claimant: "claimant", assignee: "assignee" };

/** "Claim changed (span, wording) by rita, 2 Dec 14:02". */
export function eventInWords(event) {
  let what = EVENTS[event.action] || `${event.object_type || "Item"} ${event.action.split(".").pop()}`;
  if (event.action === "claim.updated" && event.changes) {
    const fields = [...new Set(Object.keys(event.changes).map((f) => FIELDS[f] || f.replaceAll("_", " ")))];
    if (fields.length) what = `Claim changed (${fields.join(", ")})`;
  }
  return `${what} by ${event.actor || "someone"}, ${when(event.created_at)}`;
}
