// Keyboard focus is never dropped to the top of the page. When the focused control is removed or
// replaced (Cancel or Save of an edit form, Delete of a list item, the panel re-rendered), focus
// moves to the same place in the same list, else to `fallback()` (e.g. the panel's heading).

const FOCUSABLE = "button:not([disabled]), a[href], input:not([disabled]), select:not([disabled]), textarea, [tabindex]";

/** Watch `root`: where was focus last (which list, which item), and is it gone now? */
export function keepFocus(root, fallback) {
  let last = null; // {element, list, index}
  root.addEventListener("focusin", (event) => {
    const item = event.target.closest("li");
    const list = item && root.contains(item) ? item.parentElement : null;
    last = { element: event.target, list, index: list ? [...list.children].indexOf(item) : -1 };
  });
  // Focus or a click elsewhere: what happens in `root` afterwards is not the user's concern now.
  const away = (event) => {
    if (!root.contains(event.target)) last = null;
  };
  document.addEventListener("focusin", away);
  document.addEventListener("mousedown", away);
  new MutationObserver(() => {
    if (!last || last.element.isConnected) return;
    const active = document.activeElement;
    if (active && active !== document.body) return; // focus went somewhere on purpose
    const { list, index } = last;
    last = null;
    const items = list?.isConnected ? list.children : [];
    const item = items.length ? items[Math.min(index, items.length - 1)] : null;
    // An item's own button (Edit, the claim's link) before its other links: where Cancel came from.
    const target = item?.matches(FOCUSABLE) ? item : (item?.querySelector("button:not([disabled])") ?? item?.querySelector(FOCUSABLE));
    (target || fallback())?.focus();
  }).observe(root, { childList: true, subtree: true });
}
