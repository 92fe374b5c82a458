// The reader's keyboard: one listener on the document, a name for each key, no logic of its own.

const TYPING =
  "textarea, select, [contenteditable], input:not([type=radio]):not([type=checkbox]):not([type=button]):not([type=submit])";

/**
 * Listen for the reader's keys. `actions` holds: down(extend), up(extend), create(), next(),
 * help(), escape(), enter(onSentence) -> bool, rating(n) -> bool. `isBlocked()` is true while a
 * dialog handles its own keys.
 */
export function installKeys(actions, isBlocked) {
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isBlocked()) return;
    if (event.target.closest?.(TYPING)) return;
    const onSentence = Boolean(event.target.closest?.(".sentence"));
    switch (event.key) {
      case "j":
      case "J":
        actions.down(event.shiftKey);
        break;
      case "k":
      case "K":
        actions.up(event.shiftKey);
        break;
      case "ArrowDown":
      case "ArrowUp":
        // On a sentence the arrows move like j / k (shift extends); elsewhere the page scrolls.
        if (!onSentence) return;
        (event.key === "ArrowDown" ? actions.down : actions.up)(event.shiftKey);
        break;
      case "c":
        actions.create();
        break;
      case "n":
        actions.next();
        break;
      case "?":
        actions.help();
        break;
      case "Escape":
        actions.escape();
        break;
      case "Enter":
        if (!onSentence || !actions.enter()) return;
        break;
      default:
        if (/^[1-9]$/.test(event.key) && actions.rating(Number(event.key))) break;
        return;
    }
    event.preventDefault();
  });
}
