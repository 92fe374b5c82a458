// Dates, people, states and audit events in words, the same way everywhere in the reader.

import { formatDateTime, gettext, interpolate, pgettext } from "./i18n.js";

/** "2 Dec 14:02" (with the year when it is not this year), in the page's language. */
export function when(iso) {
  return formatDateTime(iso);
}

/** A user reference from the API ({id, username, name}) as a name. */
export function who(user) {
  return user ? user.username : gettext("someone");
}

// The API sends states as codes (Claim.Status, Verdict.Status, Source.Stance): their words here.
const CLAIM_STATES = {
  draft: pgettext("claim state", "draft"),
  submitted: pgettext("claim state", "submitted"),
  published: pgettext("claim state", "published"),
  rejected: pgettext("claim state", "rejected"),
  retracted: pgettext("claim state", "retracted"),
};
const VERDICT_STATES = {
  draft: pgettext("verdict state", "draft"),
  submitted: pgettext("verdict state", "submitted"),
  approved: pgettext("verdict state", "approved"),
  rejected: pgettext("verdict state", "rejected"),
  retracted: pgettext("verdict state", "retracted"),
};
const STANCES = {
  supports: pgettext("stance", "supports"),
  refutes: pgettext("stance", "refutes"),
  context: pgettext("stance", "context"),
};

/** A claim's state in words ("published" / "publicada"). */
export function claimState(status) {
  return CLAIM_STATES[status] || status;
}

/** A verdict's state in words ("approved" / "aprobado"). */
export function verdictState(status) {
  return VERDICT_STATES[status] || status;
}

/** A source's stance in words, for where the API's labels are not at hand. */
export function stanceWord(stance) {
  return STANCES[stance] || stance;
}

// AuditEvent.action -> what happened, in words (the actor follows: "… by eddie").
const EVENTS = {
  "claim.created": gettext("Claim marked"),
  "claim.updated": gettext("Claim changed"),
  "claim.deleted": gettext("Claim deleted"),
  "claim.corrected": gettext("Correction applied to the published claim"),
  "claim.linked": gettext("Linked to an earlier fact-check"),
  "claim.hidden": gettext("Claim hidden"),
  "claim.unhidden": gettext("Claim shown again"),
  "source.created": gettext("Source added"),
  "source.updated": gettext("Source edited"),
  "source.deleted": gettext("Source removed"),
  "source.hidden": gettext("Source hidden"),
  "source.unhidden": gettext("Source shown again"),
  "comment.created": gettext("Comment added"),
  "comment.updated": gettext("Comment edited"),
  "comment.deleted": gettext("Comment deleted"),
  "comment.hidden": gettext("Comment hidden"),
  "comment.unhidden": gettext("Comment shown again"),
  "verdict.submitted": gettext("Verdict submitted"),
  "verdict.updated": gettext("Verdict revised"),
  "verdict.withdrawn": gettext("Verdict withdrawn"),
  "verdict.approved": gettext("Verdict approved"),
  "verdict.rejected": gettext("Verdict rejected"),
  "verdict.retracted": gettext("Verdict retracted"),
  "flag.created": gettext("Flagged for the moderators"),
  "flag.dismissed": gettext("Flag dismissed"),
};

const FIELDS = {
  start: gettext("span"),
  end: gettext("span"),
  text: gettext("wording"),
  claimant: gettext("claimant"),
  assignee: gettext("assignee"),
};

/** "Claim changed (span, wording) by rita, 2 Dec 14:02". */
export function eventInWords(event) {
  let what =
    EVENTS[event.action] ||
    interpolate(gettext("%(object)s %(action)s"), { object: event.object_type || gettext("Item"), action: event.action.split(".").pop() }, true);
  if (event.action === "claim.updated" && event.changes) {
    const fields = [...new Set(Object.keys(event.changes).map((f) => FIELDS[f] || f.replaceAll("_", " ")))];
    if (fields.length) what = interpolate(gettext("Claim changed (%(fields)s)"), { fields: fields.join(", ") }, true);
  }
  return interpolate(
    gettext("%(event)s by %(person)s, %(date)s"),
    { event: what, person: event.actor || gettext("someone"), date: when(event.created_at) },
    true,
  );
}
